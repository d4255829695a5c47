package image

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"testing"

	"luapf/runtime/lua"

	"golang.org/x/sys/unix"
)

// sampleImage has a path that is not UTF-8: the metadata keeps every byte.
func sampleImage() *Image {
	return &Image{
		Meta: Meta{Script: "x.lua", Options: lua.DefaultOptions(), Watch: []string{"/x.lua", "/lib/m.lua", "/caf\xe9/\xff.dat"},
			Reference: 1700000000123456789, InitialLuapfClient: true},
		State: []byte("state bytes\x00\xff"),
	}
}

func TestImageRoundTrip(t *testing.T) {
	im := sampleImage()
	data, err := im.encode()
	if err != nil {
		t.Fatal(err)
	}
	back, err := decodeImage(data)
	if err != nil || !reflect.DeepEqual(back, im) {
		t.Fatalf("got %+v, %v; want %+v", back, err, im)
	}
	for n := 0; n < len(data)-len(im.State); n++ {
		if _, err := decodeImage(data[:n]); !errors.Is(err, errBadImage) {
			t.Fatalf("a %d-byte prefix decoded: %v", n, err)
		}
	}
}

// TestSealedImage checks that the memfd an image travels in is sealed
// against writing, growing and shrinking, and that mapping refuses an
// unsealed one.
func TestSealedImage(t *testing.T) {
	f, err := WriteSealed(sampleImage())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seals, err := unix.FcntlInt(f.Fd(), unix.F_GET_SEALS, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []int{unix.F_SEAL_WRITE, unix.F_SEAL_GROW, unix.F_SEAL_SHRINK, unix.F_SEAL_SEAL} {
		if seals&s == 0 {
			t.Errorf("seal %#x missing (seals %#x)", s, seals)
		}
	}
	if _, err := f.WriteAt([]byte("x"), 0); err == nil {
		t.Errorf("wrote into a sealed image")
	}
	im, err := Map(f)
	if err != nil || im.Meta.Script != "x.lua" {
		t.Fatalf("map sealed image: %+v, %v", im, err)
	}

	fd, err := unix.MemfdCreate("unsealed", unix.MFD_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	unsealed := newFileForTest(fd)
	defer unsealed.Close()
	if _, err := Map(unsealed); err == nil {
		t.Errorf("mapped an unsealed memfd")
	}
}

// FuzzDecodeImage: decodeImage never panics on any bytes, and an image it
// accepts encodes and decodes again to the same image.
func FuzzDecodeImage(f *testing.F) {
	valid, err := sampleImage().encode()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add([]byte(imageMagic))
	f.Add(append([]byte(imageMagic), 1, 0xff, 0xff, 0xff, 0xff, 0x0f))
	f.Fuzz(func(t *testing.T, data []byte) {
		im, err := decodeImage(data)
		if err != nil {
			return
		}
		again, err := im.encode()
		if err != nil {
			t.Fatalf("decoded %q into %+v, which does not encode: %v", data, im, err)
		}
		back, err := decodeImage(again)
		if err != nil || !reflect.DeepEqual(back.Meta, im.Meta) || !bytes.Equal(back.State, im.State) {
			t.Fatalf("decoded %q into %+v; its encoding decodes as %+v, %v", data, im, back, err)
		}
	})
}

func newFileForTest(fd int) *os.File { return os.NewFile(uintptr(fd), "test memfd") }
