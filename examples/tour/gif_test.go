package main

import (
	"bytes"
	"image"
	"image/draw"
	"image/gif"
	"testing"
)

// TestGIFPlaysTheFrames decodes an animation and plays it as a browser
// does, each patch over the last picture (DisposalNone), and checks that
// every picture is its frame exactly: the patches lose nothing, and the
// transparent pixels stand only where nothing changed.
func TestGIFPlaysTheFrames(t *testing.T) {
	pc, err := drawProblem(problems()[0])
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := writeGIF(&buf, pc.frames); err != nil {
		t.Fatal(err)
	}
	g, err := gif.DecodeAll(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Image) != len(pc.frames) {
		t.Fatalf("%d frames decoded, %d encoded", len(g.Image), len(pc.frames))
	}
	if g.LoopCount != 0 {
		t.Errorf("LoopCount %d, want 0 (forever)", g.LoopCount)
	}
	screen := image.NewPaletted(pc.frames[0].Rect, gifPalette)
	for i, patch := range g.Image {
		if g.Disposal[i] != gif.DisposalNone {
			t.Fatalf("frame %d: disposal %d", i, g.Disposal[i])
		}
		draw.Draw(screen, patch.Rect, patch, patch.Rect.Min, draw.Over)
		if !bytes.Equal(screen.Pix, pc.frames[i].Pix) {
			t.Fatalf("frame %d plays differently from how it was drawn", i)
		}
	}
}

func TestFrameSteps(t *testing.T) {
	for _, steps := range []int{1, 7, 120, 400, 1000} {
		s := frameSteps(steps)
		if s[0] != 0 || s[len(s)-1] != steps {
			t.Errorf("frameSteps(%d) = %v: want 0 first and %d last", steps, s, steps)
		}
		for i := 1; i < len(s); i++ {
			if s[i] <= s[i-1] {
				t.Errorf("frameSteps(%d) = %v: not increasing", steps, s)
			}
		}
		if len(s) > frameCount+1 {
			t.Errorf("frameSteps(%d): %d frames, more than %d", steps, len(s), frameCount+1)
		}
		// The first steps, where bias correction and the first moves show,
		// each get a frame.
		for k := 0; k <= min(steps, 4); k++ {
			if s[k] != k {
				t.Errorf("frameSteps(%d) = %v: step %d has no frame", steps, s[:10], k)
			}
		}
	}
}
