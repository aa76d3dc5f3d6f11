package testbuf

import (
	"fmt"
	"runtime/debug"
	"unsafe"
)

// FaultError is a memory fault that CatchFault recovered.
type FaultError struct {
	Addr  uintptr // the address whose access faulted
	Cause any     // the runtime's panic value
}

// Error gives the faulting address and the runtime's message.
func (e *FaultError) Error() string {
	return fmt.Sprintf("memory fault at address %#x: %v", e.Addr, e.Cause)
}

// CatchFault runs f and returns a *FaultError if it faulted on a memory
// access (a guard page), instead of letting the fault kill the test
// binary. It relies on debug.SetPanicOnFault, which covers assembly
// functions as well as Go code; that setting belongs to the calling
// goroutine, so f must not start others that touch guard pages. Panics
// that are not faults pass through.
func CatchFault(f func()) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if fe, ok := r.(interface{ Addr() uintptr }); ok {
			err = &FaultError{Addr: fe.Addr(), Cause: r}
			return
		}
		panic(r)
	}()
	f()
	return nil
}

// Where describes addr relative to the slice s, for fault messages: e.g.
// "4 bytes past the end of a 12-byte slice".
func Where[F Elem](addr uintptr, s []F) string {
	start := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	size := uintptr(len(s) * Size[F]())
	switch end := start + size; {
	case addr >= end:
		return fmt.Sprintf("%d bytes past the end of a %d-byte slice", addr-end, size)
	case addr < start:
		return fmt.Sprintf("%d bytes before the start of a %d-byte slice", start-addr, size)
	default:
		return fmt.Sprintf("at byte %d of a %d-byte slice", addr-start, size)
	}
}
