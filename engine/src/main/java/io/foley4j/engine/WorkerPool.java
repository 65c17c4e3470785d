package io.foley4j.engine;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fixed pool of worker threads that runs one op at a time, splitting {@code [0, n)} into one static range per
 * thread (the caller runs range 0). No parallel streams, no common ForkJoin pool: hand-off is a volatile
 * generation counter, a short spin, then park. Calls from several threads are serialized; a call made from
 * inside a running task runs inline, so nested ops cannot deadlock.
 *
 * <p>Thread count: constructor argument, or for {@link #shared()} the system property {@code foley4j.threads},
 * default {@link Runtime#availableProcessors()}.
 */
public final class WorkerPool implements AutoCloseable {

    /** Work on the index range {@code [start, end)}. */
    @FunctionalInterface
    public interface RangeTask {
        void run(int start, int end);
    }

    private static final int SPIN = 20_000;
    private static volatile WorkerPool shared;

    private final int threads;
    private final Thread[] workers;
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicInteger generation = new AtomicInteger();
    private final AtomicInteger remaining = new AtomicInteger();
    private volatile RangeTask task;
    private volatile int total;
    private volatile Throwable failure;
    private volatile Thread caller;
    private volatile boolean closed;

    public WorkerPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("WorkerPool: thread count must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            int part = i + 1;
            Thread t = new Thread(() -> workerLoop(part), "foley4j-worker-" + part);
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    /** The process-wide pool, created on first use with {@code foley4j.threads} threads. */
    public static WorkerPool shared() {
        WorkerPool p = shared;
        if (p == null) {
            synchronized (WorkerPool.class) {
                p = shared;
                if (p == null) {
                    int n = Integer.getInteger("foley4j.threads", Runtime.getRuntime().availableProcessors());
                    shared = p = new WorkerPool(Math.max(1, n));
                }
            }
        }
        return p;
    }

    public int threads() {
        return threads;
    }

    /** Static range of part {@code part} of {@code parts} over {@code [0, n)}. */
    static int bound(int n, int parts, int part) {
        return (int) ((long) n * part / parts);
    }

    /** Runs {@code task} over {@code [0, n)} split evenly over all threads. */
    public void parallelFor(int n, RangeTask task) {
        parallelFor(n, 1, task);
    }

    /**
     * Runs {@code task} over {@code [0, n)} using at most {@code n / minPerThread} threads, so small work stays
     * on the calling thread (a thread hand-off costs more than a small op).
     */
    public void parallelFor(int n, int minPerThread, RangeTask task) {
        if (n <= 0) {
            return;
        }
        int parts = Math.min(threads, Math.max(1, n / Math.max(1, minPerThread)));
        if (parts == 1 || isWorker() || lock.isHeldByCurrentThread()) {
            task.run(0, n);
            return;
        }
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("WorkerPool is closed");
            }
            runParallel(n, parts, task);
        } finally {
            lock.unlock();
        }
    }

    private void runParallel(int n, int parts, RangeTask t) {
        this.task = t;
        this.total = n;
        this.failure = null;
        this.caller = Thread.currentThread();
        // workers with part >= parts get an empty range but still check in
        this.activeParts = parts;
        remaining.set(workers.length);
        generation.incrementAndGet();
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        try {
            t.run(0, bound(n, parts, 1));
        } catch (Throwable e) {
            failure = e;
        }
        for (int spins = 0; remaining.get() != 0; spins++) {
            if (spins < SPIN) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
            }
        }
        this.task = null;
        Throwable f = failure;
        if (f != null) {
            if (f instanceof RuntimeException re) throw re;
            if (f instanceof Error er) throw er;
            throw new RuntimeException(f);
        }
    }

    private volatile int activeParts;

    private void workerLoop(int part) {
        int seen = 0;
        while (true) {
            int spins = 0;
            int g;
            while ((g = generation.get()) == seen) {
                if (closed) {
                    return;
                }
                if (spins++ < SPIN) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            seen = g;
            int parts = activeParts;
            if (part < parts) {
                try {
                    task.run(bound(total, parts, part), bound(total, parts, part + 1));
                } catch (Throwable e) {
                    failure = e;
                }
            }
            if (remaining.decrementAndGet() == 0) {
                LockSupport.unpark(caller);
            }
        }
    }

    private boolean isWorker() {
        Thread t = Thread.currentThread();
        for (Thread w : workers) {
            if (w == t) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }
}
