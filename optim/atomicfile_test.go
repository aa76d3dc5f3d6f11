package optim

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestWriteFileAtomic checks that a write that fails midway leaves the
// previous file whole and no temporary file behind, and that one that
// succeeds replaces it with mode 0644.
func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ckpt.safetensors")
	if err := os.WriteFile(path, []byte("previous checkpoint"), 0o600); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk full")
	err := writeFileAtomic(path, func(w io.Writer) error {
		w.Write(bytes.Repeat([]byte("x"), 3<<20)) // past the buffer: some reaches the file
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("writeFileAtomic: %v, want the write's error", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "previous checkpoint" {
		t.Fatalf("the failed write changed the file to %d bytes", len(got))
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("the failed write left %d files in the directory", len(entries))
	}

	if err := writeFileAtomic(path, func(w io.Writer) error {
		_, err := w.Write([]byte("new checkpoint"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "new checkpoint" {
		t.Fatalf("the file holds %q", got)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", st.Mode().Perm())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("the write left %d files in the directory", len(entries))
	}
}

// TestSaveFileFailure checks SaveFile into a directory that does not
// exist: an error, and nothing written.
func TestSaveFileFailure(t *testing.T) {
	o, _, _ := savedAdam(t)
	err := o.SaveFile(filepath.Join(t.TempDir(), "missing", "ckpt.safetensors"))
	if err == nil {
		t.Fatal("SaveFile into a missing directory succeeded")
	}
}
