package main

import (
	"image"
	"image/color"
	"testing"

	"gonum.org/v1/plot/vg"
)

// TestTextFits checks that every caption line fits the picture's width
// and every legend label its panel's, in the embedded font.
func TestTextFits(t *testing.T) {
	capWidth := width - 2*margin
	legWidth := capWidth/2 - 30 - 20 // the offset and the line's sample
	for _, p := range problems() {
		paths := make([]path, len(p.racers))
		for i, r := range p.racers {
			paths[i] = mustRun(t, p, r)
		}
		for _, line := range p.caption(newResults(p, paths)) {
			if w := textStyle(captionSize).Width(line); w > capWidth {
				t.Errorf("%s: caption line %.0f points wide, room for %.0f: %q", p.name, w, capWidth, line)
			}
		}
		for _, r := range p.racers {
			if w := textStyle(legendSize).Width(r.label()); w > legWidth {
				t.Errorf("%s: legend label %.0f points wide, room for %.0f: %q", p.name, w, legWidth, r.label())
			}
		}
	}
}

// TestEveryPathShows looks at the pixels of each problem's last frame
// and checks that every racer's colour shows, at full strength, in the
// panels it races in (Adam races in both): no racer is hidden under the
// others.
func TestEveryPathShows(t *testing.T) {
	const minPixels = 20
	for _, p := range problems() {
		paths := make([]path, len(p.racers))
		for i, r := range p.racers {
			paths[i] = mustRun(t, p, r)
		}
		s, err := newScene(p, paths)
		if err != nil {
			t.Fatal(err)
		}
		img := s.frame(p.steps)
		shown := map[string]int{}
		for g := range groups {
			area := pixels(s.data[g], img.Bounds().Dy())
			for _, i := range grouped(p, g) {
				name := p.racers[i].name
				shown[name] += count(img, area, racerColors[racerIndex(name)])
			}
		}
		for _, r := range p.racers {
			if shown[r.name] < minPixels {
				t.Errorf("%s: %s shows in %d pixels, fewer than %d", p.name, r.name, shown[r.name], minPixels)
			}
		}
	}
}

// pixels is the pixel rectangle of r, in points from the bottom left, on
// a picture h pixels high.
func pixels(r vg.Rectangle, h int) image.Rectangle {
	px := func(l vg.Length) int { return int(l.Dots(dpi) + 0.5) }
	return image.Rect(px(r.Min.X), h-px(r.Max.Y), px(r.Max.X), h-px(r.Min.Y))
}

func count(img *image.RGBA, area image.Rectangle, c color.RGBA) int {
	n := 0
	for y := area.Min.Y; y < area.Max.Y; y++ {
		for x := area.Min.X; x < area.Max.X; x++ {
			if img.RGBAAt(x, y) == c {
				n++
			}
		}
	}
	return n
}
