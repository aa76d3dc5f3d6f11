module github.com/fusedopt/fusedopt/adapters/spago

go 1.26.0

require github.com/fusedopt/fusedopt v0.0.0-00010101000000-000000000000

require (
	github.com/google/flatbuffers v23.5.26+incompatible // indirect
	github.com/nlpodyssey/spago v1.1.0
	golang.org/x/sys v0.50.0 // indirect
)

replace github.com/fusedopt/fusedopt => ../..
