package main

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
)

// render races p and writes its pictures to dir.
func render(p *problem, dir string) ([]string, error) {
	pc, err := drawProblem(p)
	if err != nil {
		return nil, err
	}
	return pc.write(dir)
}

// pictures is one problem's output: the animation's frames, its last
// frame in full colour, and the loss plot.
type pictures struct {
	name   string
	frames []*image.Paletted
	last   *image.RGBA
	loss   *image.RGBA
}

// drawProblem races p and draws its pictures.
func drawProblem(p *problem) (*pictures, error) {
	paths := make([]path, len(p.racers))
	for i, r := range p.racers {
		var err error
		if paths[i], err = run(p, r); err != nil {
			return nil, err
		}
	}
	s, err := newScene(p, paths)
	if err != nil {
		return nil, err
	}
	pc := &pictures{name: p.name}
	q := quantizer{}
	bgPal := q.paletted(s.bg)
	for _, t := range frameSteps(p.steps) {
		pc.frames = append(pc.frames, q.over(s.overlay(t), s.bg, bgPal))
	}
	pc.last = s.frame(p.steps) // the PNG keeps every colour: no palette
	if pc.loss, err = lossPlot(p, paths); err != nil {
		return nil, err
	}
	return pc, nil
}

// write encodes the pictures as tour-<name>.gif, tour-<name>.png (the
// last frame) and tour-<name>-loss.png in dir.
func (pc *pictures) write(dir string) ([]string, error) {
	var gifBuf, pngBuf, lossBuf bytes.Buffer
	if err := writeGIF(&gifBuf, pc.frames); err != nil {
		return nil, err
	}
	if err := png.Encode(&pngBuf, pc.last); err != nil {
		return nil, err
	}
	if err := png.Encode(&lossBuf, pc.loss); err != nil {
		return nil, err
	}
	var files []string
	for _, f := range []struct {
		suffix string
		b      *bytes.Buffer
	}{{".gif", &gifBuf}, {".png", &pngBuf}, {"-loss.png", &lossBuf}} {
		name := filepath.Join(dir, "tour-"+pc.name+f.suffix)
		if err := os.WriteFile(name, f.b.Bytes(), 0o644); err != nil {
			return nil, err
		}
		files = append(files, name)
	}
	return files, nil
}

// frameCount is the number of frames an animation aims at: enough to
// follow the paths, few enough to keep the committed GIFs small.
const frameCount = 60

// frameSteps is the steps the frames show, from 0 to steps: every step
// at first, then further and further apart, t_k = k + (steps−K)(k/K)³ for
// frame k of K, because the first steps are where the adaptive methods'
// first moves and bias correction show, and the last ones mostly creep
// to the minimum. The step counter says which step a frame shows.
func frameSteps(steps int) []int {
	if steps <= frameCount {
		out := make([]int, steps+1)
		for k := range out {
			out[k] = k
		}
		return out
	}
	out := make([]int, frameCount+1)
	for k := range out {
		// Integers throughout, rounded to nearest: the same frames on every machine.
		out[k] = k + ((steps-frameCount)*k*k*k+frameCount*frameCount*frameCount/2)/(frameCount*frameCount*frameCount)
	}
	return out
}
