// Command tour races the optimizers of the lecture notes that fusedopt
// began from (SGD, Momentum, NAG, Adagrad, Adadelta, RMSprop and Adam,
// with and without bias correction) and the extras AdamW, NAdam, RAdam
// and Lion on 2-D problems, through fusedopt's kernels, and draws them:
// for each problem an animated GIF, a PNG of its last frame and a plot of
// the loss against the step.
//
//	go run ./examples/tour             # from the repository root: writes docs/tour-*
//	go run ./examples/tour -out DIR    # elsewhere
//
// The problems (table.go) are the saddle f = x² − y², an ill-conditioned
// quadratic, the same with noisy gradients, Rosenbrock's valley and
// Beale's function. One rule sets every racer's hyperparameters on every
// problem (rule.go), and each picture's caption names what the lecture
// says it shows, with numbers measured on the race (captions.go).
//
// The output is the same bytes on every run: the paths are the same bits
// on every machine (fusedopt's steps, and gradients that round each
// product), the contours are drawn in a fixed order, the GIF palette is
// fixed and the fonts are embedded. The tests check the paths against
// float64 references of the notes' and PyTorch's formulas, the lecture's
// points against the paths, and the committed pictures against the
// program's, byte for byte on amd64.
package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	out := flag.String("out", "", "directory to write the pictures to (default: the repository's docs/)")
	flag.Parse()
	dir := *out
	if dir == "" {
		var err error
		if dir, err = docsDir(); err != nil {
			log.Fatal(err)
		}
	}
	files, err := generate(dir)
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range files {
		fmt.Println(f)
	}
}

// generate writes every problem's pictures to dir and returns their paths.
func generate(dir string) ([]string, error) {
	var files []string
	for _, p := range problems() {
		fs, err := render(p, dir)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.name, err)
		}
		files = append(files, fs...)
	}
	return files, nil
}

// docsDir finds the repository's docs directory from the working
// directory up: the directory whose go.mod declares the library.
func docsDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.HasPrefix(string(mod), "module github.com/fusedopt/fusedopt\n") {
			return filepath.Join(dir, "docs"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("tour: not inside the fusedopt repository; give -out")
		}
		dir = parent
	}
}
