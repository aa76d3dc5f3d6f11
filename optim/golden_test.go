package optim

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/resume: the checkpoints and digests of TestGoldenResume")

// TestGoldenResume resumes checkpoints committed in testdata/resume, made
// on amd64 after 5 steps of every algorithm, for 7 more steps, and checks
// that the result has the digest recorded with them, which is also the
// digest of 12 uninterrupted steps here. Run on arm64 (CI does, under
// qemu), it shows that a checkpoint from one architecture resumes on
// another to the same bits. go test -run GoldenResume -update rewrites
// them; the bfloat16 cases' (AdamBF16*, SGDBF16, LionBF16) depend on the
// bits of the kernels' stochastic rounding hash, and a change of that
// hash needs go test ./optim -run 'GoldenResume/BF16' -update, and a
// commit of what it writes.
func TestGoldenResume(t *testing.T) {
	for _, c := range allCases() {
		t.Run(c.Name(), c.golden)
	}
}

func (c algoCase[H]) golden(t *testing.T) {
	const n, more = 5, 7
	dir := filepath.Join("testdata", "resume")
	file := filepath.Join(dir, c.name+".safetensors")
	sumFile := filepath.Join(dir, c.name+".sha256")

	whole := c.model(5)
	ow := c.build(t, whole)
	for k := int64(1); k <= n+more; k++ {
		whole.fillGrads(k)
		if err := ow.Step(); err != nil {
			t.Fatal(err)
		}
		if k == n && *update {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := ow.SaveFile(file); err != nil {
				t.Fatal(err)
			}
		}
	}
	want := digest(t, ow)
	if *update {
		if err := os.WriteFile(sumFile, []byte(want+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	resumed := c.model(6)
	or := c.build(t, resumed)
	if err := or.LoadFile(file); err != nil {
		t.Fatal(err)
	}
	for k := int64(n + 1); k <= n+more; k++ {
		resumed.fillGrads(k)
		if err := or.Step(); err != nil {
			t.Fatal(err)
		}
	}
	got := digest(t, or)
	recorded, err := os.ReadFile(sumFile)
	if err != nil {
		t.Fatal(err)
	}
	if rec := strings.TrimSpace(string(recorded)); got != rec || want != rec {
		t.Errorf("digest of the resumed run %s, of the uninterrupted run %s, recorded on amd64 %s", got, want, rec)
	}
}

// digest is the SHA-256 of an optimizer's checkpoint with its parameters,
// and of the gradients' bits, which depend on the parameters.
func digest[H Algorithm](t testing.TB, o *Optimizer[H]) string {
	t.Helper()
	var buf bytes.Buffer
	if err := o.Save(&buf); err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	h.Write(buf.Bytes())
	for _, p := range o.params {
		switch {
		case p.f32 != nil:
			for _, g := range p.f32.grad {
				binary.Write(h, binary.LittleEndian, math.Float32bits(g))
			}
		case p.f64 != nil:
			for _, g := range p.f64.grad {
				binary.Write(h, binary.LittleEndian, math.Float64bits(g))
			}
		default:
			binary.Write(h, binary.LittleEndian, p.bf.grad)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
