package main

import (
	"image"
	"image/color"
	"image/gif"
	"io"
)

// The GIF's palette is fixed, so that the same frames always give the
// same bytes: every racer's colour at tintLevels mixes with white (what
// anti-aliasing makes of a line on a white ground), greys for the text,
// axes and contours, and a transparent entry for the pixels a frame
// leaves as they were.
const tintLevels = 8

var gifPalette = func() color.Palette {
	pal := color.Palette{color.RGBA{}} // index 0: transparent
	for g := 0; g <= 255; g += 17 {    // 16 greys from black to white
		pal = append(pal, color.RGBA{uint8(g), uint8(g), uint8(g), 0xff})
	}
	for _, c := range append(racerColors, contourColor) {
		for k := 1; k <= tintLevels; k++ {
			mix := func(v uint8) uint8 { return uint8(255 - (255-int(v))*k/tintLevels) }
			pal = append(pal, color.RGBA{mix(c.R), mix(c.G), mix(c.B), 0xff})
		}
	}
	return pal
}()

const transparent = 0

// quantizer maps opaque RGBA pixels to gifPalette, remembering each
// colour's index: a picture holds few distinct colours, and the nearest
// entry of a 120-colour palette is slow to search for every pixel.
type quantizer map[color.RGBA]uint8

func (q quantizer) index(c color.RGBA) uint8 {
	i, ok := q[c]
	if !ok {
		i = uint8(gifPalette[1:].Index(c) + 1) // never the transparent entry
		q[c] = i
	}
	return i
}

// paletted converts an opaque picture to gifPalette.
func (q quantizer) paletted(img *image.RGBA) *image.Paletted {
	out := image.NewPaletted(img.Bounds(), gifPalette)
	for i := range out.Pix {
		p := img.Pix[4*i : 4*i+4 : 4*i+4]
		out.Pix[i] = q.index(color.RGBA{p[0], p[1], p[2], p[3]})
	}
	return out
}

// over converts the overlay ov, composed over the background bg, to
// gifPalette, given bgPal, bg's own conversion. A frame is mostly
// background, where the overlay is transparent and bgPal has the answer;
// elsewhere it composes the pixel as draw.Over does (ov is premultiplied)
// and looks it up.
func (q quantizer) over(ov, bg *image.RGBA, bgPal *image.Paletted) *image.Paletted {
	out := image.NewPaletted(bg.Bounds(), gifPalette)
	for i := range out.Pix {
		o := ov.Pix[4*i : 4*i+4 : 4*i+4]
		if o[3] == 0 {
			out.Pix[i] = bgPal.Pix[i]
			continue
		}
		b := bg.Pix[4*i : 4*i+4 : 4*i+4]
		k := 255 - uint32(o[3])
		c := color.RGBA{
			uint8(uint32(o[0]) + (uint32(b[0])*k+127)/255),
			uint8(uint32(o[1]) + (uint32(b[1])*k+127)/255),
			uint8(uint32(o[2]) + (uint32(b[2])*k+127)/255),
			0xff, // the background is opaque, and so the result
		}
		out.Pix[i] = q.index(c)
	}
	return out
}

// delta is frame cur as a patch over prev: the smallest rectangle that
// holds every changed pixel, with the unchanged ones transparent, which
// a GIF decoder draws over the previous frame (DisposalNone). The paths
// only grow between frames, so a patch is a small part of the picture.
// Both frames cover the same rectangle from (0, 0).
func delta(prev, cur *image.Paletted) *image.Paletted {
	w, h := cur.Rect.Dx(), cur.Rect.Dy()
	minX, minY, maxX, maxY := w, h, 0, 0
	for y := range h {
		row := y * cur.Stride
		for x := range w {
			if cur.Pix[row+x] != prev.Pix[row+x] {
				minX, minY = min(minX, x), min(minY, y)
				maxX, maxY = max(maxX, x+1), max(maxY, y+1)
			}
		}
	}
	if minX >= maxX { // nothing changed: one transparent pixel
		minX, minY, maxX, maxY = 0, 0, 1, 1
	}
	out := image.NewPaletted(image.Rect(minX, minY, maxX, maxY), gifPalette)
	for y := minY; y < maxY; y++ {
		for x := minX; x < maxX; x++ {
			if c := cur.Pix[y*cur.Stride+x]; c != prev.Pix[y*prev.Stride+x] {
				out.Pix[out.PixOffset(x, y)] = c
			} // else transparent, the zero index
		}
	}
	return out
}

// Each frame shows for frameDelay, the last one for lastDelay (in
// hundredths of a second), before the animation starts again.
const frameDelay, lastDelay = 8, 300

// writeGIF encodes full frames as a looping animation of patches.
func writeGIF(w io.Writer, frames []*image.Paletted) error {
	g := &gif.GIF{Config: image.Config{
		ColorModel: gifPalette, Width: frames[0].Rect.Dx(), Height: frames[0].Rect.Dy(),
	}}
	for i, f := range frames {
		img := f
		if i > 0 {
			img = delta(frames[i-1], f)
		}
		d := frameDelay
		if i == len(frames)-1 {
			d = lastDelay
		}
		g.Image = append(g.Image, img)
		g.Delay = append(g.Delay, d)
		g.Disposal = append(g.Disposal, gif.DisposalNone)
	}
	return gif.EncodeAll(w, g)
}
