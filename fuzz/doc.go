// Package fuzz holds the go test -fuzz targets of fusedopt: every kernel at
// every level this machine supports, through the public API, against the
// generic level, bit for bit.
//
//	go test ./fuzz                                   # replay the seed corpus
//	go test -run '^$' -fuzz=FuzzAdam32 -fuzztime=30s ./fuzz
//
// The package has no code of its own; it is a package so that the fuzzers
// live apart from the unit tests and their corpus in testdata/fuzz.
package fuzz
