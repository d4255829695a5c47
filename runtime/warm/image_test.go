package warm

import (
	"errors"
	"os"
	"reflect"
	"testing"

	"golang.org/x/sys/unix"
)

func sampleImage() *Image {
	return &Image{
		Meta: ImageMeta{Script: "x.lua", Options: DefaultOptions(), Watch: []string{"/x.lua", "/lib/m.lua"},
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
	f, err := writeSealedImage(sampleImage())
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
	im, err := mapImage(f)
	if err != nil || im.Meta.Script != "x.lua" {
		t.Fatalf("map sealed image: %+v, %v", im, err)
	}

	fd, err := unix.MemfdCreate("unsealed", unix.MFD_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	unsealed := newFileForTest(fd)
	defer unsealed.Close()
	if _, err := mapImage(unsealed); err == nil {
		t.Errorf("mapped an unsealed memfd")
	}
}

// FuzzDecodeImage: any bytes decode or are refused, never a panic.
func FuzzDecodeImage(f *testing.F) {
	data, _ := sampleImage().encode()
	f.Add(data)
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = decodeImage(data)
	})
}

func newFileForTest(fd int) *os.File { return os.NewFile(uintptr(fd), "test memfd") }
