package server

import (
	"slices"

	"luapf/preforklib"
)

// serverOffer is what this server offers a luapf client beyond protocol v1
// (preforklib.Offer), besides the environment it depends on (server.offer).
// Other clients get a plain v1 greeting.
var serverOffer = preforklib.Offer{Features: []string{preforklib.FeatureSignals, preforklib.FeatureStatus, preforklib.FeatureContext, preforklib.FeatureCwd}}

// offer is what this server offers a luapf client: serverOffer's features
// and the environment its initialisation read.
func (s *server) offer() preforklib.Offer {
	o := preforklib.Offer{Features: slices.Clone(serverOffer.Features)}
	if len(s.meta.EnvNames) > 0 {
		deps := preforklib.EnvDeps{Names: s.meta.EnvNames, Digest: s.meta.EnvDigest}
		o.Features = append(o.Features, preforklib.FeatureEnv+" "+deps.Params())
	}
	return o
}
