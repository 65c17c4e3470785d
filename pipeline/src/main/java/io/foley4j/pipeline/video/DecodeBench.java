package io.foley4j.pipeline.video;

import io.foley4j.engine.WorkerPool;
import java.nio.file.Path;

/**
 * Decode throughput on one clip, side by side: every frame on one thread (plain sequential JCodec), every frame
 * GOP-parallel on {@code threads}, and sampling at {@code fps} (skipping what sampling does not need) converted
 * to RGB and preprocessed for CLIP. Usage: {@code DecodeBench clip.mp4 [threads] [fps] [repeats]}.
 */
public final class DecodeBench {
    private DecodeBench() {}

    /** Frames of the clip decoded per second (best of {@code repeats}) for every frame, on {@code pool}. */
    public static double decodeAllFps(VideoIndex video, WorkerPool pool, int repeats) {
        double best = 0;
        for (int r = 0; r < repeats; r++) {
            best = Math.max(best, VideoFrames.decodeAll(video, pool).decodedPerSecond());
        }
        return best;
    }

    /** Seconds of video per second of wall time when sampling at {@code fps} into CLIP input (best of repeats). */
    public static double sampledRealtime(VideoIndex video, WorkerPool pool, double fps, int repeats) {
        double best = 0;
        for (int r = 0; r < repeats; r++) {
            VideoFrames.DecodeStats st = VideoFrames.forEachPreprocessed(video, fps, ImagePreprocessor.CLIP_224,
                    pool, (f, x) -> { });
            best = Math.max(best, video.durationSeconds() / st.seconds());
        }
        return best;
    }

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: DecodeBench clip.mp4 [threads] [fps] [repeats]");
            System.exit(2);
        }
        VideoIndex video = VideoIndex.open(Path.of(args[0]));
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        double fps = args.length > 2 ? Double.parseDouble(args[2]) : VideoFrames.DEFAULT_FPS;
        int repeats = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        System.out.println(video.info());
        try (WorkerPool one = new WorkerPool(1); WorkerPool many = new WorkerPool(threads)) {
            double serial = decodeAllFps(video, one, repeats);
            double parallel = decodeAllFps(video, many, repeats);
            System.out.printf("decode all frames: JCodec 1 thread %.1f frames/s, GOP-parallel %d threads %.1f frames/s"
                    + " (%.2fx)%n", serial, threads, parallel, parallel / serial);
            VideoFrames.DecodeStats st = VideoFrames.forEachRgb(video, fps, many, (f, rgb) -> { });
            System.out.printf("sampling at %.1f fps: %d samples, %d frames decoded, %d non-reference skipped, %d not"
                    + " read after the last needed one%n", fps, st.samples(), st.decoded(), st.skipped(), st.notRead());
            System.out.printf("sampled + CLIP preprocessing: 1 thread %.2fx realtime, %d threads %.2fx realtime%n",
                    sampledRealtime(video, one, fps, repeats), threads, sampledRealtime(video, many, fps, repeats));
        }
    }
}
