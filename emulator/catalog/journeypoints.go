package catalog

// Customer Journey point types the journey gateway's points name in point_type, as
// its point reference writes them; each point's point_data holds one key, the type
// in lower case without the prefix (start_by_api, send_push, wait, exit).
const (
	PointTypePrefix     = "POINT_TYPE_"
	PointTypeStartByAPI = "POINT_TYPE_START_BY_API"
	PointTypeSendPush   = "POINT_TYPE_SEND_PUSH"
	PointTypeWait       = "POINT_TYPE_WAIT"
	PointTypeExit       = "POINT_TYPE_EXIT"

	// PointOutputDefault is the output every point has; a point's next point is
	// the one its default output's info.next_point_uuid names.
	PointOutputDefault = "default"
)

// Messages of the journey gateway about a journey's points (pwemu's own texts: the
// documentation shows none), answered as 400 INVALID_ARGUMENT; %s is a point's uuid
// or index.
const (
	MsgPointNoUUID        = "points[%d]: uuid is required"
	MsgPointDuplicateUUID = "points[%d]: uuid %q is used by another point"
	MsgPointNoType        = "point %q: point_type is required"
	MsgPointDataKey       = "point %q: point_data must hold %q for %s"
	MsgPointUnknownNext   = "point %q: output %q names next_point_uuid %q, which is no point of the journey"
	MsgPointManyAPIStarts = "a journey takes one Start by API point, this one has %d"
	MsgPointNoMessage     = "point %q: send_push needs a preset_code or a content"
	MsgPointNoPreset      = "point %q: preset %q not found"
	MsgPointBadDelay      = "point %q: wait.delay must be a positive duration such as \"86400s\""
	MsgPointLoop          = "point %q: the path of default outputs from the Start by API point comes back to it"
	MsgNoAPIEntry         = "the journey has no active Start by API point"
)
