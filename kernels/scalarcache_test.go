package kernels

import (
	"math"
	"reflect"
	"sync"
	"testing"
)

// TestCacheKeysCoverEveryField: a field that the cache key left out would
// make a step reuse the scalars of other hyperparameters. Changing any
// field of Adam, NAdam or RAdam (found by reflection, so a field added
// later is covered too), or the sign of a zero, must change the key.
func TestCacheKeysCoverEveryField(t *testing.T) {
	checkKey(t, DefaultAdamW(), func(a Adam) any { return a.key(7) })
	checkKey(t, DefaultNAdam(), func(a NAdam) any { return a.key(NAdamSchedule{T: 7, MuProduct: 0.5}) })
	checkKey(t, DefaultRAdam(), func(a RAdam) any { return a.key(7) })
	a := DefaultAdam()
	if a.key(7) == a.key(8) {
		t.Error("Adam's key ignores the step")
	}
	n := DefaultNAdam()
	if n.key(NAdamSchedule{7, 0.5}) == n.key(NAdamSchedule{7, 0.25}) || n.key(NAdamSchedule{7, 0.5}) == n.key(NAdamSchedule{8, 0.5}) {
		t.Error("NAdam's key ignores the schedule")
	}
}

func checkKey[H any](t *testing.T, h H, key func(H) any) {
	t.Helper()
	base := key(h)
	v := reflect.ValueOf(&h).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		old := reflect.ValueOf(f.Interface())
		switch f.Kind() {
		case reflect.Float64:
			f.SetFloat(f.Float() + 0.125)
		case reflect.Bool:
			f.SetBool(!f.Bool())
		default:
			t.Fatalf("%T.%s: a %v field; teach the cache key and this test about it", h, v.Type().Field(i).Name, f.Kind())
		}
		if key(h) == base {
			t.Errorf("%T's cache key ignores %s", h, v.Type().Field(i).Name)
		}
		if f.Kind() == reflect.Float64 {
			f.SetFloat(0)
			zero := key(h)
			f.SetFloat(math.Copysign(0, -1))
			if key(h) == zero {
				t.Errorf("%T's cache key does not tell -0 from +0 in %s", h, v.Type().Field(i).Name)
			}
		}
		f.Set(old)
	}
}

// TestCachedScalarsExact: scalars served from the cache are the bits the
// computation gives, whatever the order of the calls, also when
// goroutines interleave them (run it with -race).
func TestCachedScalarsExact(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 300 {
				a := DefaultAdam()
				a.LR = 1e-3 * float64(1+(i+g)%3)
				tt := 1 + (i*7+g)%5
				got, err1 := a.scalars(tt)
				want, err2 := a.computeScalars(tt)
				if err1 != nil || err2 != nil || got != want {
					t.Errorf("Adam scalars(%d) = %v, %v; computed %v, %v", tt, got, err1, want, err2)
					return
				}
				r := DefaultRAdam()
				r.Beta2 = []float64{0.999, 0.99, 0.9}[(i+g)%3]
				gs, gr, err1 := r.scalars(tt)
				ws, wr, err2 := r.computeScalars(tt)
				if err1 != nil || err2 != nil || gs != ws || gr != wr {
					t.Errorf("RAdam scalars(%d) differ from the computation", tt)
					return
				}
				n := DefaultNAdam()
				n.MomentumDecay = 4e-3 * float64(1+(i+g)%2)
				s := n.ScheduleAt(tt)
				gn, err1 := n.scalars(s)
				wn, err2 := n.computeScalars(s)
				if err1 != nil || err2 != nil || gn != wn {
					t.Errorf("NAdam scalars(%v) differ from the computation", s)
					return
				}
			}
		})
	}
	wg.Wait()
	// A bad hyperparameter is never served from the cache.
	a := DefaultAdam()
	a.scalars(3)
	a.Beta1 = math.NaN()
	if _, err := a.scalars(3); err == nil {
		t.Error("a NaN Beta1 was accepted")
	}
}
