// Package modroot finds the repository's root for the infra commands that
// run from anywhere inside it.
package modroot

import (
	"errors"
	"os"
	"path/filepath"
)

// Find returns the nearest folder with a go.mod, from the current folder
// up. Errors: the current folder is unreadable, or no folder above it has
// a go.mod.
func Find() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod in this folder or above it: run from the repository, or pass -root")
		}
		dir = parent
	}
}
