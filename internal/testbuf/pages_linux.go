//go:build linux

package testbuf

import "golang.org/x/sys/unix"

// newPages maps the data pages with an inaccessible page on each side.
func newPages(size int) (*Pages, error) {
	page := unix.Getpagesize()
	data := (size + page - 1) / page * page
	m, err := unix.Mmap(-1, 0, data+2*page, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		return fallbackPages(size), nil
	}
	if err := unix.Mprotect(m[:page], unix.PROT_NONE); err != nil {
		unix.Munmap(m)
		return nil, err
	}
	if err := unix.Mprotect(m[page+data:], unix.PROT_NONE); err != nil {
		unix.Munmap(m)
		return nil, err
	}
	return &Pages{Data: m[page : page+data : page+data], Protected: true, mapping: m}, nil
}

func (p *Pages) free() error {
	if p.mapping == nil {
		return nil
	}
	m := p.mapping
	p.mapping, p.Data = nil, nil
	return unix.Munmap(m)
}
