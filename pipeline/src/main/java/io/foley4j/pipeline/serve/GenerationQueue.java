package io.foley4j.pipeline.serve;

import io.foley4j.pipeline.foley.FoleyRequest;
import io.foley4j.pipeline.foley.FoleyResult;
import io.foley4j.pipeline.foley.Generator;
import io.foley4j.pipeline.foley.Progress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fixed generation workers behind a bounded admission. A request takes a slot before its upload is read (so a full
 * server refuses at once, without reading the body) and gives it back when its generation has ended, even one whose
 * caller stopped waiting: {@code workers + queueCapacity} slots, at most {@code workers} generating.
 */
final class GenerationQueue {
    private final Generator generator;
    private final Semaphore slots;
    private final ThreadPoolExecutor pool;
    private final AtomicInteger admitted = new AtomicInteger(), running = new AtomicInteger();

    GenerationQueue(Generator generator, int workers, int queueCapacity) {
        this.generator = generator;
        this.slots = new Semaphore(workers + queueCapacity);
        AtomicInteger ids = new AtomicInteger();
        // The queue can hold every admitted request, so the pool itself never rejects.
        this.pool = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(workers + queueCapacity), r -> {
            Thread t = new Thread(r, "foley-generate-" + ids.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** A slot for one request, or false when all are taken. */
    boolean admit() {
        if (!slots.tryAcquire()) return false;
        admitted.incrementAndGet();
        return true;
    }

    /** Gives back a slot of a request that never reached {@link #submit}. */
    void release() {
        admitted.decrementAndGet();
        slots.release();
    }

    int running() { return running.get(); }

    /** Admitted requests not generating yet (uploading or waiting for a worker). */
    int queued() { return Math.max(0, admitted.get() - running.get()); }

    /**
     * Runs the request on a worker; takes ownership of the video and of {@code out}. The job deletes the video when
     * it ends, and the output too when its caller {@link Job#abandon abandoned} it.
     */
    Job submit(FoleyRequest request, Path out) {
        Job job = new Job(request, out);
        pool.execute(job);
        return job;
    }

    /**
     * Stops taking jobs, waits up to {@code millis} for the queued and running ones, then interrupts those running and
     * drops (and cleans up) those never started.
     */
    void shutdown(long millis) throws InterruptedException {
        pool.shutdown();
        if (pool.awaitTermination(millis, TimeUnit.MILLISECONDS)) return;
        for (Runnable r : pool.shutdownNow()) {
            if (r instanceof Job j) {
                j.abandon();
                j.run();   // abandoned: generates nothing, deletes the files and frees the slot
            }
        }
    }

    final class Job implements Runnable {
        private static final int PENDING = 0, CLAIMED = 1, ABANDONED = 2;
        private final FoleyRequest request;
        private final Path out;
        private final CompletableFuture<FoleyResult> done = new CompletableFuture<>();
        private final AtomicInteger owner = new AtomicInteger(PENDING);

        private Job(FoleyRequest request, Path out) {
            this.request = request;
            this.out = out;
        }

        @Override
        public void run() {
            running.incrementAndGet();
            FoleyResult result = null;
            Throwable failure = null;
            try {
                if (owner.get() != ABANDONED) result = generator.generate(request, out, Progress.NONE);
            } catch (Throwable t) {
                failure = t;
            } finally {
                deleteQuietly(request.video());
                running.decrementAndGet();
                admitted.decrementAndGet();
                slots.release();
            }
            if (failure == null && result != null && owner.compareAndSet(PENDING, CLAIMED)) {
                done.complete(result);
                return;
            }
            // Failed or nobody waits any more: nothing of it may stay on disk.
            deleteQuietly(out);
            if (result != null && result.muxed() != null) deleteQuietly(result.muxed());
            done.completeExceptionally(failure != null ? failure : new IllegalStateException("abandoned"));
        }

        /**
         * Waits up to {@code millis}; the result's files then belong to the caller. Throws TimeoutException after
         * abandoning the job (its files are deleted when it ends), or the generator's exception.
         */
        FoleyResult await(long millis) throws InterruptedException, TimeoutException, ExecutionException {
            try {
                return done.get(Math.max(0, millis), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | InterruptedException e) {
                if (!done.isDone() && abandon()) throw e;
                return done.get();  // it finished while we gave up: take the result after all
            }
        }

        /** True when the job had not delivered yet: from now on it cleans up after itself. */
        boolean abandon() {
            return owner.compareAndSet(PENDING, ABANDONED);
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            System.err.println("foley serve: cannot delete " + p + ": " + e);
        }
    }
}
