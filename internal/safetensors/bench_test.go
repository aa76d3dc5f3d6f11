package safetensors

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkWriteRead moves 64Mi float32 (256 MiB) to and from a file in
// the page cache, the checkpoint path's shape; b.SetBytes makes go test
// report the rate in MB/s. The portable variants show what big-endian
// machines pay for the conversion.
func BenchmarkWriteRead(b *testing.B) {
	const n = 64 << 20
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(i)
	}
	f, err := os.Create(filepath.Join(b.TempDir(), "bench.safetensors"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := Write(f, x); err != nil { // allocate the file's pages once
		b.Fatal(err)
	}
	run := func(name string, op func() error) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(4 * n)
			for b.Loop() {
				if _, err := f.Seek(0, io.SeekStart); err != nil {
					b.Fatal(err)
				}
				if err := op(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	run("Write", func() error { return Write(f, x) })
	run("Read", func() error { return Read(f, x) })
	run("Checksum", func() error { Checksum(x); return nil })
	run("PortableWrite", func() error { return writePortable(f, x) })
	run("PortableRead", func() error { return readPortable(f, x) })
	run("PortableChecksum", func() error { checksumPortable(x); return nil })
}
