//go:build !linux

package testbuf

// newPages is the portable fallback: ordinary memory, no guard pages.
func newPages(size int) (*Pages, error) { return fallbackPages(size), nil }

func (p *Pages) free() error {
	p.Data = nil
	return nil
}
