// Package targeting decides which devices a message goes to. One evaluator serves
// every sender (createMessage, createTargetedMessage, messaging v2 notify, email,
// SMS and live activities): explicit devices or users, platforms, a devices filter
// in Pushwoosh's segmentation language, a named filter, and tag conditions joined
// by AND or OR.
package targeting
