package testutil

import (
	"errors"
	"os"

	"github.com/cilium/ebpf/link"
)

func linkExists(id uint32) bool {
	l, err := link.NewFromID(link.ID(id))
	if err == nil {
		l.Close()
		return true
	}
	return !errors.Is(err, os.ErrNotExist)
}
