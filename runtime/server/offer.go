package server

import (
	"slices"

	"luapf/preforklib"
)

// offer is what this server offers a luapf client beyond protocol v1:
// preforklib.LuapfOffer's features and the environment its initialisation
// read. Other clients get a plain v1 greeting.
func (s *server) offer() preforklib.Offer {
	o := preforklib.Offer{Features: slices.Clone(preforklib.LuapfOffer.Features)}
	if len(s.meta.EnvNames) > 0 {
		deps := preforklib.EnvDeps{Names: s.meta.EnvNames, Digest: s.meta.EnvDigest}
		o.Features = append(o.Features, preforklib.FeatureEnv+" "+deps.Params())
	}
	return o
}
