package testbuf

import "unsafe"

// fallbackPages is Pages without protection: Go memory, 64-byte aligned
// (allocated as uint64s so that any float view of it is aligned).
func fallbackPages(size int) *Pages {
	words := make([]uint64, (size+2*align)/8)
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(words))), len(words)*8)
	skip := int((align - uintptr(unsafe.Pointer(unsafe.SliceData(b)))%align) % align)
	return &Pages{Data: b[skip : skip+size : skip+size]}
}
