package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/klauspost/cpuid/v2"

	"github.com/fusedopt/fusedopt/kernels"
)

// Machine describes the CPU the benchmarks ran on: enough to tell two
// result files apart and to choose sizes that land in each cache level.
type Machine struct {
	CPU      string   `json:"cpu"`
	GOOS     string   `json:"goos"`
	GOARCH   string   `json:"goarch"`
	Cores    int      `json:"cores"`    // logical CPUs the Go runtime sees
	Features []string `json:"features"` // the features fusedopt's levels care about
	Missing  []string `json:"missing,omitempty"`
	L1D      int      `json:"l1d_bytes"`      // per core
	L2       int      `json:"l2_bytes"`       // per core
	L3       int      `json:"l3_bytes"`       // last-level cache; 0 when there is none
	Levels   []string `json:"levels"`         // fusedopt levels available, best first
	CGO      bool     `json:"cgo"`            // whether the C baselines were built
	Load     string   `json:"load,omitempty"` // 1, 5, 15-minute load averages at start (Linux)
}

// relevantFeatures are the CPU features some fusedopt level depends on.
var relevantFeatures = map[string][]cpuid.FeatureID{
	"amd64": {cpuid.AVX, cpuid.AVX2, cpuid.FMA3, cpuid.BMI2, cpuid.AVX512F, cpuid.AVX512VL},
	"arm64": {cpuid.ASIMD, cpuid.FP, cpuid.SVE},
}

// Cache sizes assumed when cpuid cannot tell (common in VMs and on arm64):
// typical of current server cores, so that the default sizes still span
// the hierarchy.
const (
	fallbackL1D = 32 << 10
	fallbackL2  = 512 << 10
	fallbackL3  = 32 << 20
)

// detectMachine reads the CPU with cpuid and the levels from package kernels.
func detectMachine() Machine {
	c := cpuid.CPU
	m := Machine{
		CPU:    strings.TrimSpace(c.BrandName),
		GOOS:   runtime.GOOS,
		GOARCH: runtime.GOARCH,
		Cores:  runtime.NumCPU(),
		L1D:    c.Cache.L1D,
		L2:     c.Cache.L2,
		L3:     c.Cache.L3,
		CGO:    cBaselineAvailable,
	}
	if m.CPU == "" {
		vendor := c.VendorString
		if vendor == "" {
			vendor = "unknown CPU"
		}
		m.CPU = fmt.Sprintf("%s, family %d model %d", vendor, c.Family, c.Model)
	}
	for _, f := range relevantFeatures[runtime.GOARCH] {
		if c.Supports(f) {
			m.Features = append(m.Features, f.String())
		} else {
			m.Missing = append(m.Missing, f.String())
		}
	}
	if m.L1D <= 0 {
		m.L1D = fallbackL1D
	}
	if m.L2 <= 0 {
		m.L2 = fallbackL2
	}
	if m.L3 < 0 {
		m.L3 = fallbackL3
	}
	for _, l := range kernels.Levels() {
		m.Levels = append(m.Levels, l.String())
	}
	m.Load = loadAverage()
	return m
}

// loadAverage is the load averages from /proc/loadavg, or "" elsewhere.
// A load near or above the number of CPUs means other processes compete
// for them and the timings carry their noise; the header says so.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// llc is the size of the last-level cache.
func (m Machine) llc() int { return max(m.L3, m.L2) }

// print writes the machine description that heads the text table.
func (m Machine) print(w io.Writer) {
	fmt.Fprintf(w, "cpu:      %s (%s/%s, %d logical CPUs)\n", m.CPU, m.GOOS, m.GOARCH, m.Cores)
	missing := ""
	if len(m.Missing) > 0 {
		missing = "; lacks " + strings.Join(m.Missing, " ")
	}
	fmt.Fprintf(w, "features: %s%s\n", strings.Join(m.Features, " "), missing)
	l3 := "none"
	if m.L3 > 0 {
		l3 = byteSize(m.L3)
	}
	fmt.Fprintf(w, "caches:   L1d %s, L2 %s, L3 %s\n", byteSize(m.L1D), byteSize(m.L2), l3)
	c := "c (gcc " + cOptFlags + "), c-fastmath (+ -ffast-math)"
	if !m.CGO {
		c = "none: built without cgo (CGO_ENABLED=0 or no C compiler), so no C baseline"
	}
	fmt.Fprintf(w, "levels:   %s; C baselines: %s\n", strings.Join(m.Levels, " "), c)
	if m.Load != "" {
		note := ""
		if f, err := strconv.ParseFloat(strings.Fields(m.Load)[0], 64); err == nil && f > 0.75*float64(m.Cores) {
			note = " (busy: other processes compete for the CPUs, expect noise)"
		}
		fmt.Fprintf(w, "load:     %s%s\n", m.Load, note)
	}
}

// byteSize formats a byte count with a binary unit: 32 KiB, 1 MiB.
func byteSize(b int) string {
	switch {
	case b >= 1<<30 && b%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", b>>30)
	case b >= 1<<20 && b%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", b>>20)
	case b >= 1<<10 && b%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", b>>10)
	}
	return fmt.Sprintf("%d B", b)
}
