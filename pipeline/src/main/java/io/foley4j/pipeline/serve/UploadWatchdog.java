package io.foley4j.pipeline.serve;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Cuts off uploads still running at their deadline, so a client that stalls cannot hold an admission slot: it
 * interrupts the reading thread, and since the JDK server reads requests from a blocking SocketChannel, the interrupt
 * closes that connection and the read fails.
 */
final class UploadWatchdog implements AutoCloseable {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "foley-upload-watchdog");
        t.setDaemon(true);
        return t;
    });

    /** Starts watching the calling thread for {@code millis}. */
    Guard watch(long millis) {
        Guard g = new Guard(Thread.currentThread());
        g.timeout = timer.schedule(g::expire, Math.max(0, millis), TimeUnit.MILLISECONDS);
        return g;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    static final class Guard {
        private final Thread thread;
        private volatile ScheduledFuture<?> timeout;
        private boolean ended, expired;

        private Guard(Thread thread) {
            this.thread = thread;
        }

        private synchronized void expire() {
            if (ended) return;
            expired = true;
            thread.interrupt();
        }

        /**
         * Ends the watch (on the watched thread); true when the deadline cut the upload off, the thread's interrupt
         * then being cleared.
         */
        synchronized boolean end() {
            ended = true;
            ScheduledFuture<?> f = timeout;
            if (f != null) f.cancel(false);
            if (expired) Thread.interrupted();
            return expired;
        }
    }
}
