//! EventBridge. So far its schedule expressions (`schedule`), which `sim schedule next` previews;
//! buses, rules, patterns and targets come with the rest of the EventBridge issue.

pub mod schedule;
