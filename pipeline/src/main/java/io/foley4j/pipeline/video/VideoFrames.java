package io.foley4j.pipeline.video;

import io.foley4j.engine.WorkerPool;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jcodec.codecs.h264.H264Decoder;
import org.jcodec.common.model.ColorSpace;
import org.jcodec.common.model.Picture;

/**
 * Frames of an H.264 video sampled at a fixed rate, decoded with JCodec, streamed in time order.
 *
 * <p>Sample {@code k} is the frame displayed at {@code t = k / fps}: the last frame in presentation order with
 * {@code pts <= t} (the first frame when none), for {@code t} before the end of the last frame. Decoding is
 * sequential inside a GOP (faster than seeking) and parallel across GOPs: each closed GOP (starting at an IDR
 * frame) is decoded by one worker from its IDR up to the last frame a sample needs; frames after that are not
 * read, and non-reference frames (nal_ref_idc = 0, typically B-frames) that no sample shows are not decoded.
 * JCodec decodes whole frames only, so every reference frame up to the last needed one is decoded.
 *
 * <p>Memory: one window of {@code 2 * threads} GOPs of converted samples at a time.
 */
public final class VideoFrames {
    public static final double DEFAULT_FPS = 8.0;

    private VideoFrames() {}

    /** Receives sample {@code frame} on the calling thread, in time order. */
    @FunctionalInterface
    public interface Sink<T> {
        void accept(SampledFrame frame, T pixels);
    }

    /** Turns a decoded frame into what the sink gets; runs on worker threads, once per distinct frame. */
    @FunctionalInterface
    public interface Converter<T> {
        T convert(RgbImage rgb);
    }

    /** Frames decoded, non-reference frames skipped, frames not read after the last needed one, wall time. */
    public record DecodeStats(int decoded, int skipped, int notRead, int samples, double seconds) {
        public double decodedPerSecond() {
            return decoded / seconds;
        }
    }

    /**
     * Turns a decoded JCodec picture (planar YUV 4:2:0, 8-bit samples stored as value - 128, coded size: crop to
     * {@link VideoIndex#width} x {@link VideoIndex#height} from the top left) into what the sink gets; runs on worker
     * threads. The picture is reused after the call: copy what you keep.
     */
    @FunctionalInterface
    public interface PictureConverter<T> {
        T convert(Picture pic);
    }

    /** Samples as RGB images (the displayed size). */
    public static DecodeStats forEachRgb(VideoIndex video, double fps, WorkerPool pool, Sink<RgbImage> sink) {
        return sample(video, fps, pool, rgb -> rgb, sink);
    }

    /** Samples preprocessed into float {@code [3, cropHeight, cropWidth]} arrays. */
    public static DecodeStats forEachPreprocessed(VideoIndex video, double fps, ImagePreprocessor pre,
            WorkerPool pool, Sink<float[]> sink) {
        return sample(video, fps, pool, rgb -> {
            float[] out = new float[pre.outputSize()];
            pre.apply(rgb, out, 0);
            return out;
        }, sink);
    }

    /** Decode-order sample index of the frame shown at each time {@code k / fps}. */
    public static int[] plan(VideoIndex video, double fps) {
        if (!(fps > 0) || Double.isInfinite(fps)) {
            throw new IllegalArgumentException("VideoFrames.plan: fps must be > 0, got " + fps);
        }
        long end = video.end;
        int[] order = video.displayOrder;
        long ts = video.timescale;
        // k / fps < end / ts  <=>  k * ts < end * fps
        int count = 0;
        while (count * (double) ts < end * fps) {
            count++;
        }
        int[] plan = new int[count];
        int d = 0;
        for (int k = 0; k < count; k++) {
            while (d + 1 < order.length && video.pts[order[d + 1]] * fps <= k * (double) ts) {
                d++;
            }
            plan[k] = order[d];
        }
        return plan;
    }

    /** Time (s) of sample {@code k}. */
    public static double sampleTime(int k, double fps) {
        return k / fps;
    }

    /** Decodes the samples of {@code video} at {@code fps}, converts them on the workers, streams them in order. */
    public static <T> DecodeStats sample(VideoIndex video, double fps, WorkerPool pool, Converter<T> conv,
            Sink<T> sink) {
        Yuv420 yuv = new Yuv420(video.color);
        return samplePictures(video, fps, pool, pic -> {
            RgbImage rgb = RgbImage.allocate(video.width, video.height);
            yuv.toRgb(pic, rgb);
            return conv.convert(rgb);
        }, sink);
    }

    /** As {@link #sample} with the decoded pictures themselves (no RGB conversion: e.g. luma-only analysis). */
    public static <T> DecodeStats samplePictures(VideoIndex video, double fps, WorkerPool pool,
            PictureConverter<T> conv, Sink<T> sink) {
        long t0 = System.nanoTime();
        int[] plan = plan(video, fps);
        Gops gops = Gops.of(video);
        Decoders decoders = new Decoders(video, pool.threads());
        int[] kFirst = new int[video.frameCount()];       // sample -> first k of the window showing it, or -1
        Arrays.fill(kFirst, -1);
        int window = 2 * pool.threads();
        int[] winGop = new int[window], winLast = new int[window];
        int decoded = 0, skipped = 0, notRead = 0;
        try (FileChannel ch = video.channel()) {
            for (int k0 = 0; k0 < plan.length; ) {
                int n = 0, k1 = k0;
                for (; k1 < plan.length; k1++) {
                    int s = plan[k1], g = gops.of[s];
                    int j = indexOf(winGop, n, g);
                    if (j < 0) {
                        if (n == window) {
                            break;
                        }
                        j = n++;
                        winGop[j] = g;
                        winLast[j] = s;
                    }
                    winLast[j] = Math.max(winLast[j], s);
                    if (kFirst[s] < 0) {
                        kFirst[s] = k1;
                    }
                }
                Object[] out = new Object[k1 - k0];
                int[] counts = decodeWindow(video, ch, gops, decoders, pool, winGop, winLast, n, plan, kFirst, k0,
                        k1, conv, out);
                decoded += counts[0];
                skipped += counts[1];
                notRead += counts[2];
                for (int k = k0; k < k1; k++) {
                    kFirst[plan[k]] = -1;
                }
                for (int k = k0; k < k1; k++) {
                    int s = plan[k];
                    @SuppressWarnings("unchecked")
                    T v = (T) out[k - k0];
                    sink.accept(new SampledFrame(k, sampleTime(k, fps), s, video.pts[s],
                            (double) video.pts[s] / video.timescale), v);
                }
                k0 = k1;
            }
        } catch (IOException e) {
            throw new VideoException(video.file, "read error", e);
        }
        return new DecodeStats(decoded, skipped, notRead, plan.length, (System.nanoTime() - t0) * 1e-9);
    }

    /** Decodes every frame (GOPs in parallel), converting nothing: the decoder's own throughput. */
    public static DecodeStats decodeAll(VideoIndex video, WorkerPool pool) {
        long t0 = System.nanoTime();
        Gops gops = Gops.of(video);
        Decoders decoders = new Decoders(video, pool.threads());
        AtomicInteger next = new AtomicInteger();
        try (FileChannel ch = video.channel()) {
            pool.parallelFor(pool.threads(), (p0, p1) -> {
                for (int part = p0; part < p1; part++) {
                    for (int g; (g = next.getAndIncrement()) < gops.count(); ) {
                        for (int s = gops.start[g]; s < gops.end(g); s++) {
                            decoders.decode(part, ch, s, s == gops.start[g]);
                        }
                    }
                }
            });
        } catch (IOException e) {
            throw new VideoException(video.file, "read error", e);
        }
        return new DecodeStats(video.frameCount(), 0, 0, 0, (System.nanoTime() - t0) * 1e-9);
    }

    private static int indexOf(int[] a, int n, int v) {
        for (int i = 0; i < n; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        return -1;
    }

    /** {decoded, skipped, notRead} for the window's GOPs; fills {@code out[k - k0]} for k in [k0, k1). */
    private static <T> int[] decodeWindow(VideoIndex video, FileChannel ch, Gops gops, Decoders decoders,
            WorkerPool pool, int[] winGop, int[] winLast, int n, int[] plan, int[] kFirst, int k0, int k1,
            PictureConverter<T> conv, Object[] out) {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger decoded = new AtomicInteger(), skipped = new AtomicInteger(), notRead = new AtomicInteger();
        pool.parallelFor(Math.min(pool.threads(), n), (p0, p1) -> {
            for (int part = p0; part < p1; part++) {
                for (int j; (j = next.getAndIncrement()) < n; ) {
                    int g = winGop[j], first = gops.start[g];
                    for (int s = first; s <= winLast[j]; s++) {
                        boolean needed = kFirst[s] >= 0;
                        Picture pic = decoders.decodeIf(part, ch, s, s == first, needed);
                        if (pic == null) {
                            skipped.incrementAndGet();
                            continue;
                        }
                        decoded.incrementAndGet();
                        if (needed) {
                            T v = conv.convert(pic);
                            for (int k = kFirst[s]; k < k1 && plan[k] == s; k++) {
                                out[k - k0] = v;
                            }
                        }
                    }
                    notRead.addAndGet(gops.end(g) - winLast[j] - 1);
                }
            }
        });
        return new int[] {decoded.get(), skipped.get(), notRead.get()};
    }

    /** Closed GOPs in decode order: [start[g], start[g+1]), each starting at an IDR sync sample. */
    record Gops(int[] start, int[] of, int frames) {
        int count() {
            return start.length;
        }

        int end(int g) {
            return g + 1 < start.length ? start[g + 1] : frames;
        }

        static Gops of(VideoIndex video) {
            int n = video.frameCount();
            int[] starts = new int[n];
            int count = 0;
            int[] of = new int[n];
            try (FileChannel ch = video.channel()) {
                for (int s = 0; s < n; s++) {
                    // an I-frame that is not IDR may start an open GOP whose leading B-frames need the previous GOP
                    if (s == 0 || video.key[s] && isIdr(video, video.read(ch, s), s)) {
                        starts[count++] = s;
                    }
                    of[s] = count - 1;
                }
            } catch (IOException e) {
                throw new VideoException(video.file, "read error", e);
            }
            return new Gops(Arrays.copyOf(starts, count), of, n);
        }

        private static boolean isIdr(VideoIndex video, ByteBuffer packet, int s) {
            for (ByteBuffer nal : VideoIndex.splitNals(video.file, packet, video.avcC.getNalLengthSize(), s)) {
                if ((nal.get(0) & 0x1f) == 5) {
                    return true;
                }
            }
            return false;
        }
    }

    /** One JCodec decoder and picture buffer per worker part, reused across GOPs (an IDR resets its state). */
    static final class Decoders {
        final VideoIndex video;
        final H264Decoder[] dec;
        final byte[][][] buf;

        Decoders(VideoIndex video, int parts) {
            this.video = video;
            this.dec = new H264Decoder[parts];
            this.buf = new byte[parts][][];
        }

        void decode(int part, FileChannel ch, int s, boolean gopStart) {
            decodeIf(part, ch, s, gopStart, true);
        }

        /** The decoded picture of sample s, or null when it is a non-reference frame nobody needs. */
        Picture decodeIf(int part, FileChannel ch, int s, boolean gopStart, boolean needed) {
            List<ByteBuffer> nals;
            try {
                nals = VideoIndex.splitNals(video.file, video.read(ch, s), video.avcC.getNalLengthSize(), s);
            } catch (IOException e) {
                throw new VideoException(video.file, "read error at frame " + s, e);
            }
            if (!needed && !isReference(nals)) {
                return null;
            }
            if (gopStart) {
                // SPS/PPS ahead of each GOP: a worker may start anywhere
                List<ByteBuffer> ps = video.parameterSets();
                ps.addAll(nals);
                nals = ps;
            }
            if (dec[part] == null) {
                dec[part] = new H264Decoder();
                buf[part] = Picture.create(video.codedWidth, video.codedHeight, ColorSpace.YUV420J).getData();
            }
            Picture pic;
            try {
                pic = dec[part].decodeFrameFromNals(nals, buf[part]);
            } catch (RuntimeException e) {
                throw new VideoException(video.file, "H.264 decoding failed at frame " + s + " of "
                        + video.frameCount() + " (corrupt data?)", e);
            }
            if (pic == null) {
                throw new VideoException(video.file, "frame " + s + " holds no picture (corrupt or missing slices)");
            }
            if (pic.getCroppedWidth() != video.width || pic.getCroppedHeight() != video.height) {
                throw new VideoException(video.file, "frame " + s + " is " + pic.getCroppedWidth() + "x"
                        + pic.getCroppedHeight() + ", the stream starts at " + video.width + "x" + video.height
                        + " (size changes are not supported)");
            }
            return pic;
        }

        private static boolean isReference(List<ByteBuffer> nals) {
            for (ByteBuffer nal : nals) {
                int h = nal.get(0);
                int type = h & 0x1f;
                if ((type == 1 || type == 5) && (h & 0x60) != 0) {
                    return true;
                }
            }
            return false;
        }
    }
}
