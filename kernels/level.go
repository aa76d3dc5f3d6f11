package kernels

import (
	"fmt"
	"os"
	"sync/atomic"

	"github.com/fusedopt/fusedopt/internal/cpulevel"
)

// Level is an implementation level: the instruction set a kernel runs on.
// Every level gives bit-identical results; they differ only in speed.
type Level uint8

// The levels. Which of them this CPU supports is reported by Levels.
// (internal/cpulevel, which detects them, numbers them the same way.)
const (
	// Generic is the pure-Go kernel: every target, and the purego build tag.
	Generic Level = iota
	// AVX2 is amd64 with AVX2 and FMA: 256-bit vectors, scalar tails.
	AVX2
	// AVX512 is amd64 with AVX-512F, AVX-512VL and BMI2: 512-bit vectors
	// and one masked iteration for the tail.
	AVX512
	// NEON is arm64 Advanced SIMD: 128-bit vectors.
	NEON
)

var levelNames = [...]string{Generic: "generic", AVX2: "avx2", AVX512: "avx512", NEON: "neon"}

// String is the level's name as FUSEDOPT_LEVEL and ParseLevel spell it.
func (l Level) String() string {
	if int(l) < len(levelNames) {
		return levelNames[l]
	}
	return fmt.Sprintf("Level(%d)", uint8(l))
}

// ParseLevel returns the level named s ("generic", "avx2", "avx512",
// "neon").
func ParseLevel(s string) (Level, error) {
	for l, name := range levelNames {
		if s == name {
			return Level(l), nil
		}
	}
	return 0, fmt.Errorf("fusedopt: unknown level %q (want one of generic, avx2, avx512, neon)", s)
}

// EnvLevel is the environment variable that pins the level at start-up,
// e.g. FUSEDOPT_LEVEL=generic. A level this CPU lacks is replaced by the
// best supported level below it in the order avx512, avx2, neon, generic:
// so FUSEDOPT_LEVEL=neon on amd64 gives generic, not avx2. An unknown name
// panics at start-up, so that a typo cannot go unnoticed.
//
// The race detector cannot see the memory accesses inside the assembly
// kernels: run race tests of code that steps concurrently with
// FUSEDOPT_LEVEL=generic, or with the purego build tag.
const EnvLevel = "FUSEDOPT_LEVEL"

// active is the level in use and its kernels; one atomic load per step.
type activeLevel struct {
	level   Level
	kernels *kernelSet
}

var (
	supported []Level // best first; always ends with Generic
	active    atomic.Pointer[activeLevel]
)

func init() {
	supported = detect()
	l := supported[0]
	if s, ok := os.LookupEnv(EnvLevel); ok && s != "" {
		want, err := ParseLevel(s)
		if err != nil {
			panic(err.Error() + " in " + EnvLevel)
		}
		l = bestUpTo(want)
	}
	setLevel(l)
}

// Levels lists the levels this CPU and build support, best first. The
// last is always Generic.
func Levels() []Level { return append([]Level(nil), supported...) }

// Supported reports whether this CPU and build support level l.
func Supported(l Level) bool {
	for _, s := range supported {
		if s == l {
			return true
		}
	}
	return false
}

// ActiveLevel is the level the kernels run on now.
func ActiveLevel() Level { return active.Load().level }

// SetLevel makes every later step run on level l, which must be
// supported; it returns the level that was active before. It is safe to
// call while other goroutines step: the level is swapped atomically, and
// steps already running finish on the old level (every level gives the
// same bits, so a step's result does not depend on which one ran it).
// Tests and benchmarks use it to compare levels; programs may use it to
// pin one.
func SetLevel(l Level) (Level, error) {
	if !Supported(l) {
		return ActiveLevel(), fmt.Errorf("fusedopt: level %v is not supported here (supported: %v)", l, supported)
	}
	return setLevel(l), nil
}

func setLevel(l Level) Level {
	old := active.Swap(&activeLevel{level: l, kernels: kernelsFor(l)})
	if old == nil {
		return l
	}
	return old.level
}

// detect lists the supported levels, best first, as internal/cpulevel
// finds them (x/sys/cpu, honouring GODEBUG).
func detect() []Level {
	var ls []Level
	for _, l := range cpulevel.Detect() {
		ls = append(ls, Level(l))
	}
	return ls
}

// bestUpTo is the best supported level not above want on its own
// architecture's ladder (Generic on any other architecture).
func bestUpTo(want Level) Level {
	for _, l := range supported {
		if l <= want && (l == Generic || sameArch(l, want)) {
			return l
		}
	}
	return Generic
}

func sameArch(a, b Level) bool { return (a == NEON) == (b == NEON) }

// current is the kernel table of the active level.
func current() *kernelSet { return active.Load().kernels }
