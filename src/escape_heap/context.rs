//! Seed 003 策略7 (L359-385): what carrying a large value in a Go
//! `context.Context` costs, the seed's fixes (store a pointer or an id, or a
//! `DataStore`), and its string keys (defect D56).
//!
//! [`Context`] is a small port of Go's design: an immutable chain of
//! key/value nodes, where `with_value` returns a child and a lookup walks
//! towards the root. A value is stored boxed, as a Go interface stores a
//! non-pointer value. Not an async context or `http::Extensions`: it only
//! has to show where the bytes go.

use std::any::{Any, TypeId};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, RwLock};

/// Bytes in the seed's `bigData` (L365-367).
pub const BIG_DATA_BYTES: usize = 1_000_000;

/// The seed's `bigData`: a 1,000,000-byte array.
pub type BigData = [u8; BIG_DATA_BYTES];

/// A zeroed [`BigData`] built directly on the heap (never on the stack,
/// which a debug build could overflow on a 2 MiB test thread).
pub fn big_data() -> Box<BigData> {
    vec![0u8; BIG_DATA_BYTES]
        .into_boxed_slice()
        .try_into()
        .expect("length is BIG_DATA_BYTES")
}

/// A context key: a string, as in the seed, or a type, as Go's docs advise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// A built-in string key: any package may use the same one.
    Str(&'static str),
    /// A key type: only the package that can name the type can use it.
    Type(TypeId),
}

impl Key {
    /// The key of type `K` (a private, zero-sized type in its package).
    pub fn of<K: Any>() -> Self {
        Self::Type(TypeId::of::<K>())
    }
}

struct Node {
    key: Key,
    value: Box<dyn Any + Send + Sync>,
    parent: Option<Arc<Node>>,
}

/// A Go-style context: immutable, shared, extended by [`Context::with_value`].
#[derive(Clone, Default)]
pub struct Context {
    node: Option<Arc<Node>>,
}

impl Context {
    /// `context.Background()`.
    pub fn background() -> Self {
        Self::default()
    }

    /// `context.WithValue(ctx, key, value)`: one node allocation, plus
    /// whatever the caller allocated for `value`.
    pub fn with_value<T: Any + Send + Sync>(&self, key: Key, value: Box<T>) -> Self {
        Self { node: Some(Arc::new(Node { key, value, parent: self.node.clone() })) }
    }

    /// `ctx.Value(key).(T)`: the nearest value stored under `key`, if it is a `T`.
    pub fn value<T: Any>(&self, key: Key) -> Option<&T> {
        let mut node = self.node.as_deref();
        while let Some(n) = node {
            if n.key == key {
                return n.value.downcast_ref::<T>();
            }
            node = n.parent.as_deref();
        }
        None
    }
}

// ANCHOR: data_store
/// An id that names a [`BigData`] in a [`DataStore`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DataId(pub u64);

/// The seed's `DataStore` (L375-384) with what it lacks: an insert and a
/// bound (oldest entry evicted first), so it cannot grow without limit.
pub struct DataStore {
    capacity: usize,
    inner: RwLock<Entries>,
}

/// The map and the insertion order (oldest first).
#[derive(Default)]
struct Entries {
    map: HashMap<DataId, Arc<BigData>>,
    order: VecDeque<DataId>,
}

impl DataStore {
    /// A store that keeps at most `capacity` entries.
    pub fn new(capacity: usize) -> Self {
        assert!(capacity > 0, "a store must hold at least one entry");
        Self { capacity, inner: RwLock::new(Entries::default()) }
    }

    /// Stores `data` under `id`; returns the entry evicted to make room.
    pub fn insert(&self, id: DataId, data: Arc<BigData>) -> Option<Arc<BigData>> {
        let mut e = self.inner.write().expect("store lock");
        if e.map.insert(id, data).is_some() {
            return None;
        }
        e.order.push_back(id);
        if e.order.len() <= self.capacity {
            return None;
        }
        let oldest = e.order.pop_front().expect("over capacity, so not empty");
        e.map.remove(&oldest)
    }

    /// The seed's `Get`: a clone of the `Arc` (a reference count, no copy).
    pub fn get(&self, id: DataId) -> Option<Arc<BigData>> {
        self.inner.read().expect("store lock").map.get(&id).cloned()
    }

    /// Entries held.
    pub fn len(&self) -> usize {
        self.inner.read().expect("store lock").map.len()
    }

    /// No entries held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
// ANCHOR_END: data_store

// ANCHOR: string_keys
/// A package that keeps the current user in the context under `"data"`.
pub mod users {
    use super::{Context, Key};

    /// Attaches the user with the seed's string key.
    pub fn attach(ctx: &Context, user: &str) -> Context {
        ctx.with_value(Key::Str("data"), Box::new(user.to_string()))
    }

    /// The user attached by [`attach`], if the key still finds it.
    pub fn current(ctx: &Context) -> Option<&String> {
        ctx.value::<String>(Key::Str("data"))
    }

    struct UserKey;

    /// Attaches the user under a key type only this module can name.
    pub fn attach_typed(ctx: &Context, user: &str) -> Context {
        ctx.with_value(Key::of::<UserKey>(), Box::new(user.to_string()))
    }

    /// The user attached by [`attach_typed`].
    pub fn current_typed(ctx: &Context) -> Option<&String> {
        ctx.value::<String>(Key::of::<UserKey>())
    }
}

/// Another package that also picked `"data"`, for a trace id.
pub mod traces {
    use super::{Context, Key};

    /// Attaches a trace id with the same string key.
    pub fn attach(ctx: &Context, trace: &str) -> Context {
        ctx.with_value(Key::Str("data"), Box::new(trace.to_string()))
    }

    struct TraceKey;

    /// Attaches the trace id under its own key type.
    pub fn attach_typed(ctx: &Context, trace: &str) -> Context {
        ctx.with_value(Key::of::<TraceKey>(), Box::new(trace.to_string()))
    }
}
// ANCHOR_END: string_keys

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_finds_the_nearest_value_of_the_right_type() {
        let ctx = Context::background().with_value(Key::Str("n"), Box::new(1u32));
        let child = ctx.with_value(Key::Str("n"), Box::new(2u32));
        assert_eq!(ctx.value::<u32>(Key::Str("n")), Some(&1));
        assert_eq!(child.value::<u32>(Key::Str("n")), Some(&2));
        assert_eq!(child.value::<u64>(Key::Str("n")), None);
        assert_eq!(child.value::<u32>(Key::Str("m")), None);
    }

    #[test]
    fn store_evicts_the_oldest_entry() {
        let store = DataStore::new(2);
        let data: Arc<BigData> = Arc::from(big_data());
        assert!(store.insert(DataId(1), data.clone()).is_none());
        assert!(store.insert(DataId(2), data.clone()).is_none());
        assert!(store.insert(DataId(3), data.clone()).is_some());
        assert_eq!(store.len(), 2);
        assert!(store.get(DataId(1)).is_none());
        assert!(store.get(DataId(3)).is_some());
    }
}
