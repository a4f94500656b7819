package state

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"
)

// GeoZone is a geozone of an application (addGeoZone): a device entering its range
// gets its message, at most once per cooldown (the zone's, or its cluster's over all
// the cluster's zones).
type GeoZone struct {
	ID          uint64
	AccountID   string
	Application string
	Name        string
	Lat, Lng    float64
	Range       int   // metres
	Cooldown    int64 // seconds
	Content     json.RawMessage
	Preset      string
	Cluster     string // the cluster's code
	Campaign    string
	Timetable   json.RawMessage
	Active      bool
}

func (z *GeoZone) clone() GeoZone {
	c := *z
	c.Content = bytes.Clone(z.Content)
	c.Timetable = bytes.Clone(z.Timetable)
	return c
}

// GeoCluster groups geozones under one cooldown (addGeoZoneCluster).
type GeoCluster struct {
	Code        string
	AccountID   string
	Application string
	Name        string
	Cooldown    int64 // seconds
	order       uint64
}

// geoKey is one device at one zone or cluster, for the entering and cooldown state.
type geoKey struct {
	zone    uint64 // 0 for a cluster
	cluster string
	hwid    string
}

// geoDevices is where devices stand relative to the zones: inside which zones, and
// when each zone (or cluster) last sent to them.
type geoDevices struct {
	inside map[geoKey]bool
	last   map[geoKey]time.Time
}

// EarthRadius is the mean radius of the Earth in metres (IUGG), the sphere the
// great-circle distances are measured on.
const EarthRadius = 6_371_008.8

// Distance is the great-circle distance in metres between two points given in
// degrees (haversine formula).
func Distance(lat1, lng1, lat2, lng2 float64) float64 {
	rad := math.Pi / 180
	dLat, dLng := (lat2-lat1)*rad, (lng2-lng1)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * EarthRadius * math.Asin(math.Sqrt(min(1, h)))
}

// AddGeoZones stores zones of one application with fresh ids, which it returns in
// order.
func (s *Store) AddGeoZones(zs []GeoZone) []uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]uint64, len(zs))
	for i := range zs {
		s.w.admin.zoneID++
		z := zs[i].clone()
		z.ID = s.w.admin.zoneID
		s.w.admin.geozones[z.ID] = &z
		ids[i] = z.ID
	}
	return ids
}

// GeoZone returns a geozone of an account.
func (s *Store) GeoZone(accountID string, id uint64) (GeoZone, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	z, ok := s.w.admin.geozones[id]
	if !ok || z.AccountID != accountID {
		return GeoZone{}, false
	}
	return z.clone(), true
}

// UpdateGeoZone changes a geozone of an account through change.
func (s *Store) UpdateGeoZone(accountID string, id uint64, change func(*GeoZone)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	z, ok := s.w.admin.geozones[id]
	if !ok || z.AccountID != accountID {
		return fmt.Errorf("geozone %d: %w", id, ErrNotFound)
	}
	change(z)
	return nil
}

// DeleteGeoZones removes geozones of an account; ErrNotFound, and nothing removed,
// when one of them is not the account's.
func (s *Store) DeleteGeoZones(accountID string, ids []uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		if z, ok := s.w.admin.geozones[id]; !ok || z.AccountID != accountID {
			return fmt.Errorf("geozone %d: %w", id, ErrNotFound)
		}
	}
	for _, id := range ids {
		delete(s.w.admin.geozones, id)
	}
	g := &s.w.geo
	for k := range g.inside {
		if slices.Contains(ids, k.zone) {
			delete(g.inside, k)
		}
	}
	for k := range g.last {
		if k.zone != 0 && slices.Contains(ids, k.zone) {
			delete(g.last, k)
		}
	}
	return nil
}

// GeoZones lists the geozones of an application, by id.
func (s *Store) GeoZones(accountID, application string) []GeoZone {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []GeoZone
	for _, z := range s.w.admin.geozones {
		if z.AccountID == accountID && z.Application == application {
			out = append(out, z.clone())
		}
	}
	slices.SortFunc(out, func(a, b GeoZone) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// AddGeoCluster stores a cluster; ErrExists when its code is taken or its
// application has a cluster of that name.
func (s *Store) AddGeoCluster(c GeoCluster) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.w.admin.clusters[c.Code]; ok {
		return fmt.Errorf("cluster %q: %w", c.Code, ErrExists)
	}
	for _, o := range s.w.admin.clusters {
		if o.Application == c.Application && o.Name == c.Name {
			return fmt.Errorf("cluster %q: %w", c.Name, ErrExists)
		}
	}
	s.w.admin.order++
	c.order = s.w.admin.order
	s.w.admin.clusters[c.Code] = &c
	return nil
}

// GeoCluster returns a cluster of an account by code.
func (s *Store) GeoCluster(accountID, code string) (GeoCluster, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.w.admin.clusters[code]
	if !ok || c.AccountID != accountID {
		return GeoCluster{}, false
	}
	return *c, true
}

// GeoClusters lists the clusters of an application, in creation order.
func (s *Store) GeoClusters(accountID, application string) []GeoCluster {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []GeoCluster
	for _, c := range s.w.admin.clusters {
		if c.AccountID == accountID && c.Application == application {
			out = append(out, *c)
		}
	}
	slices.SortFunc(out, func(a, b GeoCluster) int { return cmp.Compare(a.order, b.order) })
	return out
}

// DeleteGeoCluster removes a cluster of an application by name; its zones are
// unbound from it.
func (s *Store) DeleteGeoCluster(accountID, application, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for code, c := range s.w.admin.clusters {
		if c.AccountID != accountID || c.Application != application || c.Name != name {
			continue
		}
		delete(s.w.admin.clusters, code)
		for _, z := range s.w.admin.geozones {
			if z.Cluster == code {
				z.Cluster = ""
			}
		}
		for k := range s.w.geo.last {
			if k.cluster == code {
				delete(s.w.geo.last, k)
			}
		}
		return nil
	}
	return fmt.Errorf("cluster %q: %w", name, ErrNotFound)
}

// Location is what a device's position tells: the nearest zone of its application
// (Found false when it has none) with the distance to its centre, and the zones the
// device has just entered whose cooldowns let them send.
type Location struct {
	Nearest  GeoZone
	Distance float64
	Found    bool
	Entered  []GeoZone
}

// Locate records a device's position at time now: it enters the active zones whose
// range holds it and that it was not in, and leaves the others. An entered zone
// sends when neither its cooldown nor its cluster's has a send to this device within
// the last cooldown seconds; Locate records such sends at now.
func (s *Store) Locate(application, hwid string, lat, lng float64, now time.Time) Location {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := &s.w.geo
	if g.inside == nil {
		g.inside, g.last = map[geoKey]bool{}, map[geoKey]time.Time{}
	}
	var loc Location
	ids := make([]uint64, 0, len(s.w.admin.geozones))
	for id, z := range s.w.admin.geozones {
		if z.Application == application {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		z := s.w.admin.geozones[id]
		d := Distance(lat, lng, z.Lat, z.Lng)
		if z.Active && (!loc.Found || d < loc.Distance) {
			loc.Nearest, loc.Distance, loc.Found = z.clone(), d, true
		}
		in := geoKey{zone: id, hwid: hwid}
		if !z.Active || d > float64(z.Range) {
			delete(g.inside, in)
			continue
		}
		if g.inside[in] {
			continue
		}
		g.inside[in] = true
		zoneKey := geoKey{zone: id, hwid: hwid}
		if last, sent := g.last[zoneKey]; sent && now.Sub(last) < time.Duration(z.Cooldown)*time.Second {
			continue
		}
		var clusterKey geoKey
		if c := s.w.admin.clusters[z.Cluster]; c != nil {
			clusterKey = geoKey{cluster: c.Code, hwid: hwid}
			if last, sent := g.last[clusterKey]; sent && now.Sub(last) < time.Duration(c.Cooldown)*time.Second {
				continue
			}
			g.last[clusterKey] = now
		}
		g.last[zoneKey] = now
		loc.Entered = append(loc.Entered, z.clone())
	}
	return loc
}
