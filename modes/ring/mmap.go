package ring

import (
	"errors"
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// RingbufMapping is a BPF ring buffer map mapped the way the kernel allows
// (kernel/bpf/ringbuf.c ringbuf_map_mmap_kern): page 0, the consumer
// position, read-write and exactly one page; from page 1, the producer
// position page and the data area mapped twice back to back, read-only (a
// writable mapping there is EPERM).
type RingbufMapping struct {
	Ring     *Ringbuf
	consumer []byte
	rest     []byte
}

// MapRingbuf maps the ring buffer behind map fd, whose data size is size.
func MapRingbuf(fd, size int) (*RingbufMapping, error) {
	return mapRingbuf(fd, size, unix.PROT_READ|unix.PROT_WRITE)
}

// MapRingbufReadOnly maps it with the consumer page read-only too: a
// consumer that can read but never hand space back (claim C5's). Its
// Ring must not Commit: the store would fault.
func MapRingbufReadOnly(fd, size int) (*RingbufMapping, error) {
	return mapRingbuf(fd, size, unix.PROT_READ)
}

func mapRingbuf(fd, size, consumerProt int) (_ *RingbufMapping, err error) {
	page := os.Getpagesize()
	if size < page || size&(size-1) != 0 {
		return nil, fmt.Errorf("ring size %d is not a power of two of at least a page", size)
	}
	m := &RingbufMapping{}
	defer func() {
		if err != nil {
			m.Close()
		}
	}()
	if m.consumer, err = unix.Mmap(fd, 0, page, consumerProt, unix.MAP_SHARED); err != nil {
		return nil, fmt.Errorf("mmap ringbuf consumer page: %w", err)
	}
	if m.rest, err = unix.Mmap(fd, int64(page), page+2*size, unix.PROT_READ, unix.MAP_SHARED); err != nil {
		return nil, fmt.Errorf("mmap ringbuf producer page and data: %w", err)
	}
	cons := (*uint64)(unsafe.Pointer(&m.consumer[0]))
	prod := (*uint64)(unsafe.Pointer(&m.rest[0]))
	if m.Ring, err = NewRingbuf(cons, prod, m.rest[page:]); err != nil {
		return nil, err
	}
	return m, nil
}

// TryMap maps size bytes of fd at offset as a claim describes it, read-only
// or writable, to see whether the kernel allows it; unmap releases it.
func TryMap(fd int, offset int64, size int, writable bool) (mem []byte, unmap func(), err error) {
	prot := unix.PROT_READ
	if writable {
		prot |= unix.PROT_WRITE
	}
	if mem, err = unix.Mmap(fd, offset, size, prot, unix.MAP_SHARED); err != nil {
		return nil, func() {}, err
	}
	return mem, func() { unix.Munmap(mem) }, nil
}

// Close unmaps the ring; views into it are invalid afterwards.
func (m *RingbufMapping) Close() error {
	var errs []error
	for _, b := range []*[]byte{&m.consumer, &m.rest} {
		if *b != nil {
			errs = append(errs, unix.Munmap(*b))
			*b = nil
		}
	}
	return errors.Join(errs...)
}
