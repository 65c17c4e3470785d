package io.foley4j.pipeline.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.foley4j.engine.WorkerPool;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Decoding the committed ffmpeg clips: timestamps vs ffprobe, pixels vs ffmpeg rgb24 and PIL, parallel = serial. */
class VideoFramesTest {
    // vs the exact BT.601 formula on ffmpeg's yuv420p (16.16 fixed-point tables may round a .5 case the other way)
    private static final int RGB_TOLERANCE = 1;
    // requirement: preprocessed pixels within 1/255 of PIL on ffmpeg's frames
    private static final int CLIP_TOLERANCE = 1;

    private static final WorkerPool ONE = new WorkerPool(1);
    private static final WorkerPool TWO = new WorkerPool(2);

    @AfterAll
    static void close() {
        ONE.close();
        TWO.close();
    }

    @Test
    void infoAndPtsMatchFfprobe() {
        for (String clip : new String[] {"baseline.mp4", "high.mp4", "vfr.mov"}) {
            VideoIndex v = VideoIndex.open(TestData.file(clip));
            long[] ref = TestData.pts(clip);
            assertEquals(ref[0], v.timescale, clip + " timescale");
            long[] got = new long[v.frameCount()];
            for (int d = 0; d < got.length; d++) {
                got[d] = v.pts[v.displayOrder[d]];
            }
            assertArrayEquals(java.util.Arrays.copyOfRange(ref, 1, ref.length), got, clip + " pts, display order");
            VideoInfo info = v.info();
            assertEquals(2.0, info.durationSeconds(), 1e-9, clip + " duration");
        }
        VideoInfo b = VideoIndex.open(TestData.file("baseline.mp4")).info();
        assertEquals(new VideoInfo(b.file(), 320, 240, 2.0, 25.0, 50, 5, ColorMatrix.BT601), b);
        VideoInfo vfr = VideoIndex.open(TestData.file("vfr.mov")).info();
        assertEquals(330, vfr.width());
        assertEquals(186, vfr.height());
        assertEquals(31, vfr.frames());
        assertEquals(15.5, vfr.frameRate(), 1e-9);
    }

    @Test
    void samplesAreTheFrameShownAtEachTime() {
        for (String clip : new String[] {"high.mp4", "vfr.mov"}) {
            VideoIndex v = VideoIndex.open(TestData.file(clip));
            long[] ref = TestData.pts(clip);
            int[] plan = VideoFrames.plan(v, 8);
            assertEquals(16, plan.length, clip + ": 2 s at 8 fps");
            for (int k = 0; k < plan.length; k++) {
                long want = ref[1];
                for (int i = 1; i < ref.length; i++) {
                    if (ref[i] * 8 <= (long) k * ref[0]) {
                        want = ref[i];
                    }
                }
                assertEquals(want, v.pts[plan[k]], clip + " sample " + k + " at t=" + k / 8.0);
            }
        }
    }

    @Test
    void rgbAndPreprocessedMatchFfmpegAndPil() {
        check("baseline.mp4", 25, new int[] {0, 13, 49});
        check("high.mp4", 25, new int[] {0, 2, 7, 49});
        check("vfr.mov", 30, new int[] {0, 5, 30});
    }

    /** Samples at the source rate (vfr: 30 fps grid) so display frame n is sample pts*fps. */
    private static void check(String clip, double fps, int[] frames) {
        VideoIndex v = VideoIndex.open(TestData.file(clip));
        Map<Long, RgbImage> byPts = new HashMap<>();
        VideoFrames.forEachRgb(v, fps, TWO, (f, rgb) -> byPts.put(f.pts(), rgb));
        Map<Long, float[]> pre = new HashMap<>();
        VideoFrames.forEachPreprocessed(v, fps, ImagePreprocessor.CLIP_224, TWO, (f, x) -> pre.put(f.pts(), x));
        for (int n : frames) {
            long pts = v.pts[v.displayOrder[n]];
            String base = clip.substring(0, clip.indexOf('.')) + "_f" + n;
            int[] worst = new int[1];
            String msg = TestData.maxDiff(byPts.get(pts), TestData.png(base + ".rgb.png"), worst);
            assertTrue(worst[0] <= RGB_TOLERANCE, base + " rgb vs ffmpeg: " + msg);
            RgbImage un = unnormalize(pre.get(pts));
            msg = TestData.maxDiff(un, TestData.png(base + ".clip.png"), worst);
            assertTrue(worst[0] <= CLIP_TOLERANCE, base + " preprocessed vs PIL: " + msg);
        }
    }

    private static RgbImage unnormalize(float[] x) {
        RgbImage out = RgbImage.allocate(224, 224);
        int plane = 224 * 224;
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < plane; i++) {
                float v = x[c * plane + i] * ImagePreprocessor.CLIP_STD[c] + ImagePreprocessor.CLIP_MEAN[c];
                out.data()[i * 3 + c] = (byte) Math.round(v * 255f);
            }
        }
        return out;
    }

    @Test
    void parallelAndSkippingGiveTheSameFrames() {
        for (String clip : new String[] {"high.mp4", "vfr.mov"}) {
            VideoIndex v = VideoIndex.open(TestData.file(clip));
            // every frame decoded, one thread, as the reference
            Map<Long, RgbImage> all = new HashMap<>();
            VideoFrames.forEachRgb(v, 1000, ONE, (f, rgb) -> all.putIfAbsent(f.pts(), rgb));
            assertEquals(v.frameCount(), all.size(), clip);
            List<SampledFrame> seen = new ArrayList<>();
            VideoFrames.DecodeStats st = VideoFrames.forEachRgb(v, 8, TWO, (f, rgb) -> {
                seen.add(f);
                int[] worst = new int[1];
                String msg = TestData.maxDiff(rgb, all.get(f.pts()), worst);
                assertEquals(0, worst[0], clip + " sample " + f.index() + ": " + msg);
            });
            assertEquals(16, seen.size());
            for (int k = 0; k < seen.size(); k++) {
                assertEquals(k, seen.get(k).index(), "in order");
                assertEquals(k / 8.0, seen.get(k).time(), 0);
            }
            assertTrue(st.skipped() + st.notRead() > 0, clip + ": nothing skipped: " + st);
            assertEquals(v.frameCount(), st.decoded() + st.skipped() + st.notRead(), clip + " " + st);
        }
    }

    @Test
    void decodeAllCountsEveryFrame() {
        VideoIndex v = VideoIndex.open(TestData.file("baseline.mp4"));
        assertEquals(50, VideoFrames.decodeAll(v, TWO).decoded());
    }
}
