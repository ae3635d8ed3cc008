//! Seed 001 §6.1.1.10.2 (L921-960), `MemoryOptimizedPipeline`, ported:
//! `Process` ranges over `input` and sends each processed item on `output`,
//! and returns when `input` is closed, leaving `output` open (D50). Its
//! memory pool is chapter 4's subject (D49); here `processData` copies
//! through a fresh buffer, which is what the pool hands out.

use crossbeam_channel::{Receiver, Sender};

// ANCHOR: pipeline
/// `MemoryOptimizedPipeline`: it holds `output`, so the channel stays open
/// for as long as the pipeline does.
pub struct MemoryOptimizedPipeline {
    input: Receiver<Vec<u8>>,
    output: Sender<Vec<u8>>,
}

impl MemoryOptimizedPipeline {
    /// `NewMemoryOptimizedPipeline(input, output)`.
    pub fn new(input: Receiver<Vec<u8>>, output: Sender<Vec<u8>>) -> Self {
        Self { input, output }
    }

    /// `Process`: returns when `input` closes; `output` is never closed.
    pub fn process(&self) {
        for data in self.input.iter() {
            let processed = self.process_data(&data);
            let _ = self.output.send(processed);
        }
    }

    /// `processData`: copy into a buffer, then copy out.
    fn process_data(&self, data: &[u8]) -> Vec<u8> {
        let mut buf = vec![0u8; data.len()];
        buf.copy_from_slice(data);
        buf.to_vec()
    }
}
// ANCHOR_END: pipeline
