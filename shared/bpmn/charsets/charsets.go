// Package charsets looks up the decoders of the encodings a BPMN document
// may declare besides UTF-8, US-ASCII and UTF-16 (which package bpmn reads
// itself): every encoding of golang.org/x/text, by its IANA name or alias,
// then by its WHATWG label. It is a package of its own because those
// tables (the CJK ones above all) are about 0.7 MB of a linux/arm64 binary
// and cost time at init: only a function that imports BPMN documents
// links it (bpmn.Charsets, casework.Service.BPMNCharsets).
package charsets

import (
	"fmt"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
)

// Lookup returns the encoding with the label. Errors: an encoding neither
// registry knows, or one golang.org/x/text cannot decode.
func Lookup(label string) (encoding.Encoding, error) {
	enc, err := ianaindex.IANA.Encoding(label)
	if err != nil || enc == nil {
		enc, err = htmlindex.Get(label)
	}
	if err != nil || enc == nil {
		return nil, fmt.Errorf("unsupported encoding %q", label)
	}
	return enc, nil
}
