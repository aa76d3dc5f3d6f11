package optim

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
)

// writeFileAtomic writes the file path through write, atomically: into a
// temporary file in the same directory (so that the rename cannot cross
// file systems), flushed, synced and closed, then renamed over path, and
// the directory synced so that the rename survives a crash. On any error
// the temporary file is removed and path is untouched.
func writeFileAtomic(path string, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("optim: SaveFile: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	// Large tensors pass straight through the buffer; small ones and the
	// header are gathered into few system calls.
	bw := bufio.NewWriterSize(f, 1<<20)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("optim: SaveFile: %w", err)
	}
	// CreateTemp makes the file private (0600); a checkpoint gets the
	// mode of an ordinary new file.
	if err = f.Chmod(0o644); err != nil {
		return fmt.Errorf("optim: SaveFile: %w", err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("optim: SaveFile: %w", err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("optim: SaveFile: %w", err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("optim: SaveFile: %w", err)
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable. Windows cannot open a directory
// for syncing, and its renames need no such step.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("optim: SaveFile: syncing the directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("optim: SaveFile: syncing the directory: %w", err)
	}
	return nil
}
