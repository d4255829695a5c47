package warm

import (
	"bytes"
	"reflect"
	"testing"
)

// FuzzDecodeImage: decodeImage never panics on any bytes, and an image it
// accepts encodes and decodes again to the same image.
func FuzzDecodeImage(f *testing.F) {
	valid, err := (&Image{
		Meta:  ImageMeta{Script: "/s.lua", Options: DefaultOptions(), Watch: []string{"/s.lua"}, Reference: 1},
		State: []byte("state"),
	}).encode()
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
