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
	checkKey(t, DefaultAdamW(), func(a Adam) any { return adamKeyOf(a, 7) })
	checkKey(t, DefaultNAdam(), func(a NAdam) any { return nadamKeyOf(a, NAdamSchedule{T: 7, MuProduct: 0.5}) })
	checkKey(t, DefaultRAdam(), func(a RAdam) any { return radamKeyOf(a, 7) })
	checkKey(t, DefaultLAMB(), func(a LAMB) any { return lambKeyOf(a, 7) })
	a := DefaultAdam()
	if adamKeyOf(a, 7) == adamKeyOf(a, 8) {
		t.Error("Adam's key ignores the step")
	}
	r := DefaultRAdam()
	if radamKeyOf(r, 7) == radamKeyOf(r, 8) {
		t.Error("RAdam's key ignores the step")
	}
	l := DefaultLAMB()
	if lambKeyOf(l, 7) == lambKeyOf(l, 8) {
		t.Error("LAMB's key ignores the step")
	}
	n := DefaultNAdam()
	if nadamKeyOf(n, NAdamSchedule{7, 0.5}) == nadamKeyOf(n, NAdamSchedule{7, 0.25}) || nadamKeyOf(n, NAdamSchedule{7, 0.5}) == nadamKeyOf(n, NAdamSchedule{8, 0.5}) {
		t.Error("NAdam's key ignores the schedule")
	}
}

func adamKeyOf(a Adam, t int) (k adamKey)              { a.key(t, &k); return k }
func nadamKeyOf(a NAdam, s NAdamSchedule) (k nadamKey) { a.key(s, &k); return k }
func radamKeyOf(a RAdam, t int) (k radamKey)           { a.key(t, &k); return k }
func lambKeyOf(a LAMB, t int) (k lambKey)              { a.key(t, &k); return k }

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

// TestCacheHitIsItsKeys: a hit must never return another key's scalars,
// also while other goroutines replace the entries. Goroutines step in
// turn with two hyperparameter sets that differ in one field (as two
// parameter groups with and without weight decay do) and with step
// numbers that make some of them miss, so that the slots are rewritten
// under the readers; every result, float64 and float32, must be what the
// uncached computation gives. Run it with -race too.
func TestCacheHitIsItsKeys(t *testing.T) {
	rounds := 3000
	if raceEnabled || testing.Short() {
		rounds = 300
	}
	adams := [2]Adam{DefaultAdam(), DefaultAdamW()}
	nadams := [2]NAdam{DefaultNAdam(), DefaultNAdam()}
	nadams[1].WeightDecay = 1e-2
	radams := [2]RAdam{DefaultRAdam(), DefaultRAdam()}
	radams[1].Beta2 = 0.99
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range rounds {
				h, step := (i+g)%2, 1+(i/2+g)%7
				a := adams[h]
				var c32 scalars32[[adamScalarCount]float32]
				s, err1 := a.scalars(step)
				err2 := a.scalars32(step, &c32)
				want, err3 := a.computeScalars(step)
				want32, err4 := a.computeScalars32(step)
				if err1 != nil || err2 != nil || err3 != nil || err4 != nil || s != want || c32 != want32 {
					t.Errorf("Adam set %d, t=%d: cached scalars differ from the computation", h, step)
					return
				}
				n := nadams[h]
				sch := n.ScheduleAt(step)
				var n32 scalars32[[nadamScalarCount]float32]
				ns, err1 := n.scalars(sch)
				err2 = n.scalars32(sch, &n32)
				nwant, err3 := n.computeScalars(sch)
				nwant32, err4 := n.computeScalars32(sch)
				if err1 != nil || err2 != nil || err3 != nil || err4 != nil || ns != nwant || n32 != nwant32 {
					t.Errorf("NAdam set %d, t=%d: cached scalars differ from the computation", h, step)
					return
				}
				r := radams[h]
				var r32 radamScalars32
				rs, rect, err1 := r.scalars(step)
				err2 = r.scalars32(step, &r32)
				rwant, rwrect, err3 := r.computeScalars(step)
				rwant32, err4 := r.computeScalars32(step)
				if err1 != nil || err2 != nil || err3 != nil || err4 != nil || rs != rwant || rect != rwrect || r32 != rwant32 {
					t.Errorf("RAdam set %d, t=%d: cached scalars differ from the computation", h, step)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestCacheLayout: the cache copies keys as 8-byte words and values as
// 4-byte words, into slots of a fixed size; every key and value type must
// fit, whole words, and hold no pointers.
func TestCacheLayout(t *testing.T) {
	check := func(k, v any) {
		kt, vt := reflect.TypeOf(k), reflect.TypeOf(v)
		if kt.Size()%8 != 0 || kt.Size()/8 > cacheKeyWords {
			t.Errorf("key %v: %d bytes; want whole 8-byte words, at most %d", kt, kt.Size(), cacheKeyWords)
		}
		if vt.Size()%4 != 0 || vt.Size()/4 > cacheWords {
			t.Errorf("value %v: %d bytes; want whole 4-byte words, at most %d", vt, vt.Size(), cacheWords)
		}
		for _, typ := range []reflect.Type{kt, vt} {
			if hasPointers(typ) {
				t.Errorf("%v holds pointers", typ)
			}
		}
	}
	check(adamKey{}, [adamScalarCount]float64{})
	check(adamKey{}, scalars32[[adamScalarCount]float32]{})
	check(nadamKey{}, [nadamScalarCount]float64{})
	check(nadamKey{}, scalars32[[nadamScalarCount]float32]{})
	check(radamKey{}, radamScalars{})
	check(radamKey{}, radamScalars32{})
	check(lambKey{}, [lambScalarCount]float64{})
}

func hasPointers(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Array:
		return hasPointers(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if hasPointers(t.Field(i).Type) {
				return true
			}
		}
		return false
	case reflect.Bool, reflect.Float32, reflect.Float64, reflect.Uint32, reflect.Uint64, reflect.Int:
		return false
	}
	return true
}
