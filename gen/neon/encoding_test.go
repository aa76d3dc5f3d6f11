package neon

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/fusedopt/fusedopt/gen/families"
	"github.com/fusedopt/fusedopt/gen/golang"
	"github.com/fusedopt/fusedopt/gen/optimizers"
)

// The GNU binutils for arm64 (Debian: apt-get install
// binutils-aarch64-linux-gnu) are the independent reference the WORD
// encodings are checked against.
const (
	gnuAs      = "aarch64-linux-gnu-as"
	gnuObjcopy = "aarch64-linux-gnu-objcopy"
)

// TestEncodingsMatchBinutils assembles every entry of the encoding table,
// with registers exercising every bit of each register field, and
// compares GNU as's words with the table's.
func TestEncodingsMatchBinutils(t *testing.T) {
	regs := [][3]int{{0, 0, 0}, {31, 31, 31}, {1, 2, 4}, {8, 16, 1}, {30, 29, 27}, {5, 10, 20}}
	var texts []string
	var want []uint32
	for _, e := range Encodings {
		for _, r := range regs {
			texts = append(texts, e.GNU(r[0], r[1], r[2]))
			want = append(want, e.Word(r[0], r[1], r[2]))
		}
	}
	compare(t, texts, want)
}

// wordLine is a WORD directive with the instruction it encodes.
var wordLine = regexp.MustCompile(`WORD\s+\$0x([0-9a-f]{8}) // (.+)`)

// TestEmittedWordsMatchBinutils assembles the comment of every WORD the
// emitter writes for every optimizer and limit kernel (bfloat16 ones
// too), reduction and fused kernel, and compares the words with the
// directives.
func TestEmittedWordsMatchBinutils(t *testing.T) {
	fams := append(families.All(), golang.LimitFamilies(families.All())...)
	fams = append(append(fams, families.BF16()...), golang.TrafficFamilies(families.BF16())...)
	seen := map[string]bool{}
	var texts []string
	var want []uint32
	var asms [][]byte
	for _, f := range fams {
		asm, _, err := Family("kernels", f)
		if err != nil {
			t.Fatal(err)
		}
		asms = append(asms, asm)
	}
	asm, _, err := Reductions("kernels", optimizers.Reductions())
	if err != nil {
		t.Fatal(err)
	}
	fused, _, err := FusedKernels("kernels", append(optimizers.LAMB(), optimizers.LARS()...))
	if err != nil {
		t.Fatal(err)
	}
	for _, asm := range append(asms, asm, fused) {
		for _, m := range wordLine.FindAllStringSubmatch(string(asm), -1) {
			if seen[m[0]] {
				continue
			}
			seen[m[0]] = true
			w, _ := strconv.ParseUint(m[1], 16, 32)
			texts = append(texts, m[2])
			want = append(want, uint32(w))
		}
	}
	if len(texts) == 0 {
		t.Fatal("no WORD directives in the generated assembly")
	}
	compare(t, texts, want)
	t.Logf("%d distinct WORD directives match binutils", len(texts))
}

// compare assembles texts with GNU as and requires word i to be want[i].
func compare(t *testing.T, texts []string, want []uint32) {
	t.Helper()
	got := assemble(t, texts)
	if len(got) != len(want) {
		t.Fatalf("assembled %d instructions into %d words", len(want), len(got))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%s: binutils 0x%08x, emitter 0x%08x", texts[i], got[i], want[i])
		}
	}
}

// assemble returns the machine words GNU as produces for the lines.
func assemble(t *testing.T, lines []string) []uint32 {
	t.Helper()
	for _, tool := range []string{gnuAs, gnuObjcopy} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found: install Debian's binutils-aarch64-linux-gnu to check the encodings", tool)
		}
	}
	dir := t.TempDir()
	src, obj, bin := filepath.Join(dir, "x.s"), filepath.Join(dir, "x.o"), filepath.Join(dir, "x.bin")
	text := ".text\n" + strings.Join(lines, "\n") + "\n"
	if err := os.WriteFile(src, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, gnuAs, "-o", obj, src)
	run(t, gnuObjcopy, "-O", "binary", "-j", ".text", obj, bin)
	raw, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	words := make([]uint32, len(raw)/4)
	for i := range words {
		words[i] = binary.LittleEndian.Uint32(raw[4*i:])
	}
	return words
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// ExampleEncoding_Directive shows the line the emitter writes for one
// vector instruction.
func ExampleEncoding_Directive() {
	fmt.Println(lookup("fadd", S4).Directive(0, 1, 2))
	// Output: WORD	$0x4e22d420 // fadd v0.4s, v1.4s, v2.4s
}
