//! Group commit: concurrent requests queue for one writer, which takes whatever has queued (up
//! to a bound) and commits it in one transaction, so N acknowledged complaints cost one fsync
//! instead of N. Nobody waits for a batch to fill: a lone request is committed at once, and
//! batches grow only while the previous commit is in flight.

use std::future::Future;

use tokio::sync::{mpsc, oneshot};

use crate::StoreError;

/// The work a batch writer does: commit a batch, answer each request in order.
pub trait BatchHandler: Send + 'static {
    type Req: Send + 'static;
    type Resp: Send + 'static;
    fn handle(
        &mut self,
        batch: Vec<Self::Req>,
    ) -> impl Future<Output = Vec<Result<Self::Resp, StoreError>>> + Send;
}

type Job<Q, R> = (Q, oneshot::Sender<Result<R, StoreError>>);

/// The writer is gone (shut down or crashed): nothing was committed for this request.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the batch writer has stopped")]
pub struct BatcherClosed;

/// A handle to one batch writer task. Cloning shares the writer.
pub struct Batcher<Q, R> {
    tx: mpsc::Sender<Job<Q, R>>,
}

impl<Q, R> Clone for Batcher<Q, R> {
    fn clone(&self) -> Self {
        Batcher {
            tx: self.tx.clone(),
        }
    }
}

impl<Q: Send + 'static, R: Send + 'static> Batcher<Q, R> {
    /// Starts the writer task. `max_batch` bounds one transaction (1 turns group commit off:
    /// one transaction and one fsync per request); `queue` bounds how many requests may wait.
    pub fn spawn<H>(mut handler: H, max_batch: usize, queue: usize) -> Self
    where
        H: BatchHandler<Req = Q, Resp = R>,
    {
        let max_batch = max_batch.max(1);
        let (tx, mut rx) = mpsc::channel::<Job<Q, R>>(queue.max(1));
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(max_batch);
            while let Some(first) = rx.recv().await {
                batch.push(first);
                while batch.len() < max_batch {
                    match rx.try_recv() {
                        Ok(job) => batch.push(job),
                        Err(_) => break,
                    }
                }
                let (reqs, replies): (Vec<Q>, Vec<_>) = batch.drain(..).unzip();
                let n = reqs.len();
                metrics::histogram!("kuaiwei_store_commit_batch_size").record(n as f64);
                let mut results = handler.handle(reqs).await;
                if results.len() != n {
                    tracing::error!(
                        expected = n,
                        got = results.len(),
                        "batch handler answered the wrong number of requests"
                    );
                    results = (0..n)
                        .map(|_| Err(StoreError::Backend("batch answer mismatch".into())))
                        .collect();
                }
                for (reply, result) in replies.into_iter().zip(results) {
                    // The caller may have gone away (client disconnected); the write stands.
                    let _ = reply.send(result);
                }
            }
        });
        Batcher { tx }
    }

    /// Queues one request and waits for its own answer, after its batch has committed.
    pub async fn submit(&self, req: Q) -> Result<R, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send((req, reply))
            .await
            .map_err(|_| BatcherClosed)?;
        answer.await.map_err(|_| BatcherClosed)?
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    struct Recorder(Arc<Mutex<Vec<usize>>>);

    impl BatchHandler for Recorder {
        type Req = u32;
        type Resp = u32;
        async fn handle(&mut self, batch: Vec<u32>) -> Vec<Result<u32, StoreError>> {
            self.0.lock().unwrap().push(batch.len());
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            batch.into_iter().map(|x| Ok(x * 2)).collect()
        }
    }

    #[tokio::test]
    async fn concurrent_requests_share_batches_and_each_gets_its_own_answer() {
        let sizes = Arc::new(Mutex::new(Vec::new()));
        let b = Batcher::spawn(Recorder(sizes.clone()), 16, 1024);
        let tasks: Vec<_> = (0..100u32)
            .map(|i| {
                let b = b.clone();
                tokio::spawn(async move { (i, b.submit(i).await.unwrap()) })
            })
            .collect();
        for t in tasks {
            let (i, r) = t.await.unwrap();
            assert_eq!(r, i * 2);
        }
        let sizes = sizes.lock().unwrap();
        assert_eq!(sizes.iter().sum::<usize>(), 100);
        assert!(sizes.iter().all(|&s| s <= 16));
        assert!(sizes.len() < 100, "no request shared a batch: {sizes:?}");
    }

    #[tokio::test]
    async fn a_batch_size_of_one_commits_each_request_alone() {
        let sizes = Arc::new(Mutex::new(Vec::new()));
        let b = Batcher::spawn(Recorder(sizes.clone()), 1, 64);
        let tasks: Vec<_> = (0..10u32)
            .map(|i| {
                let b = b.clone();
                tokio::spawn(async move { b.submit(i).await.unwrap() })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(*sizes.lock().unwrap(), vec![1; 10]);
    }
}
