package io.foley4j.pipeline.video;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jcodec.codecs.h264.H264Utils;
import org.jcodec.codecs.h264.io.model.SeqParameterSet;
import org.jcodec.codecs.h264.io.model.VUIParameters;
import org.jcodec.codecs.h264.mp4.AvcCBox;
import org.jcodec.common.io.FileChannelWrapper;
import org.jcodec.common.io.NIOUtils;
import org.jcodec.common.model.ColorSpace;
import org.jcodec.containers.mp4.MP4Util;
import org.jcodec.containers.mp4.boxes.ChunkOffsets64Box;
import org.jcodec.containers.mp4.boxes.ChunkOffsetsBox;
import org.jcodec.containers.mp4.boxes.CompositionOffsetsBox;
import org.jcodec.containers.mp4.boxes.Edit;
import org.jcodec.containers.mp4.boxes.MovieBox;
import org.jcodec.containers.mp4.boxes.SampleEntry;
import org.jcodec.containers.mp4.boxes.SampleSizesBox;
import org.jcodec.containers.mp4.boxes.SampleToChunkBox;
import org.jcodec.containers.mp4.boxes.SyncSamplesBox;
import org.jcodec.containers.mp4.boxes.TimeToSampleBox;
import org.jcodec.containers.mp4.boxes.TrakBox;
import org.jcodec.containers.mp4.boxes.VideoSampleEntry;

/**
 * The H.264 video track of an MP4/MOV file, from its sample tables only (no frame is decoded): per sample in
 * decode order its file offset, size, presentation time (ctts and the edit list applied, as ffprobe reports it)
 * and key flag, plus the SPS/PPS and the picture geometry. Validates what JCodec cannot decode (not H.264, not
 * 8-bit 4:2:0, interlaced, huge) so that decoding never starts on it.
 */
public final class VideoIndex {
    /** Larger pictures are refused (JCodec would allocate width*height*1.5 bytes per reference frame). */
    public static final int MAX_SIDE = 8192;

    public final Path file;
    public final int timescale;            // ticks per second of pts and durations
    public final int width, height;        // displayed (cropped) size
    public final int codedWidth, codedHeight;   // decoded size, whole macroblocks
    public final ColorMatrix color;
    public final AvcCBox avcC;             // SPS/PPS and the NAL length size
    private final List<ByteBuffer> paramSets;   // SPS and PPS as NAL units (header byte included)
    public final long[] offset;            // [samples] file offsets, decode order
    public final int[] size;               // [samples] bytes
    public final long[] pts;               // [samples] presentation time in ticks
    public final long[] duration;          // [samples] ticks
    public final boolean[] key;            // [samples] sync samples (stss; all when stss is absent)
    public final long end;                 // ticks: end of the presentation (edit list, else the last frame's end)
    public final int[] displayOrder;       // [samples] sample indices sorted by pts

    private VideoIndex(Path file, int timescale, int[] geometry, ColorMatrix color, AvcCBox avcC,
            long[] offset, int[] size, long[] pts, long[] duration, boolean[] key, long end) {
        this.file = file;
        this.timescale = timescale;
        this.width = geometry[0];
        this.height = geometry[1];
        this.codedWidth = geometry[2];
        this.codedHeight = geometry[3];
        this.color = color;
        this.avcC = avcC;
        this.offset = offset;
        this.size = size;
        this.pts = pts;
        this.duration = duration;
        this.key = key;
        this.end = end;
        this.displayOrder = sortByPts(pts);
        this.paramSets = new ArrayList<>();
        for (ByteBuffer b : avcC.getSpsList()) {
            paramSets.add(withHeader(0x67, b));         // nal_ref_idc 3, type 7
        }
        for (ByteBuffer b : avcC.getPpsList()) {
            paramSets.add(withHeader(0x68, b));         // nal_ref_idc 3, type 8
        }
    }

    private static ByteBuffer withHeader(int header, ByteBuffer payload) {
        ByteBuffer b = ByteBuffer.allocate(payload.remaining() + 1);
        b.put((byte) header).put(payload.duplicate());
        return b.flip();
    }

    /** Fresh copies of the SPS/PPS NAL units (JCodec unescapes NAL units in place). */
    List<ByteBuffer> parameterSets() {
        List<ByteBuffer> out = new ArrayList<>(paramSets.size());
        for (ByteBuffer b : paramSets) {
            out.add(NIOUtils.clone(b));
        }
        return out;
    }

    public int frameCount() {
        return pts.length;
    }

    /** Seconds from the first displayed frame's pts to the end of the presentation. */
    public double durationSeconds() {
        return (double) (end - pts[displayOrder[0]]) / timescale;
    }

    /** Average frames per second (frames / duration); exact for constant frame rate. */
    public double frameRate() {
        return frameCount() / durationSeconds();
    }

    public VideoInfo info() {
        int keys = 0;
        for (boolean k : key) {
            keys += k ? 1 : 0;
        }
        return new VideoInfo(file, width, height, durationSeconds(), frameRate(), frameCount(), keys, color);
    }

    /** Reads the tables of {@code file}'s first video track; throws {@link VideoException} naming the problem. */
    public static VideoIndex open(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new VideoException(file, "no such file");
        }
        long fileSize;
        MovieBox movie;
        try {
            fileSize = Files.size(file);
            if (fileSize == 0) {
                throw new VideoException(file, "empty file (0 bytes)");
            }
            try (FileChannelWrapper ch = NIOUtils.readableChannel(file.toFile())) {
                movie = MP4Util.parseMovieChannel(ch);
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof VideoException ve) {
                throw ve;
            }
            throw new VideoException(file, "not a readable MP4/MOV file", e);
        }
        if (movie == null) {
            throw new VideoException(file, "no 'moov' box: not an MP4/MOV file, or truncated before its index");
        }
        TrakBox trak = null;
        for (TrakBox t : movie.getTracks()) {
            if (t.isVideo()) {
                trak = t;
                break;
            }
        }
        if (trak == null) {
            throw new VideoException(file, "no video track (audio-only or empty file)");
        }
        try {
            return fromTrack(file, fileSize, trak, movie.getTimescale());
        } catch (VideoException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new VideoException(file, "malformed MP4 sample tables", e);
        }
    }

    private static VideoIndex fromTrack(Path file, long fileSize, TrakBox trak, int movieTimescale) {
        SampleEntry[] entries = trak.getSampleEntries();
        if (entries == null || entries.length == 0) {
            throw new VideoException(file, "video track has no sample description");
        }
        String fourcc = entries[0].getFourcc();
        if (!fourcc.equals("avc1") && !fourcc.equals("avc3") || !(entries[0] instanceof VideoSampleEntry vse)) {
            throw new VideoException(file, "unsupported codec '" + fourcc + "' (only H.264 'avc1'/'avc3' is supported)");
        }
        AvcCBox avcC = H264Utils.parseAVCC(vse);
        if (avcC == null || avcC.getSpsList().isEmpty() || avcC.getPpsList().isEmpty()) {
            throw new VideoException(file, "H.264 track without SPS/PPS in its 'avcC' box");
        }
        SeqParameterSet sps = readSps(avcC.getSpsList().get(0));
        int[] geometry = checkSps(file, sps);
        ColorMatrix color = colorOf(sps);

        int timescale = trak.getTimescale();
        if (timescale <= 0) {
            throw new VideoException(file, "video track timescale is " + timescale);
        }
        int[] sizes = sampleSizes(trak);
        int n = sizes.length;
        if (n == 0) {
            throw new VideoException(file, "video track has zero frames");
        }
        long[] offsets = sampleOffsets(file, trak, sizes);
        for (int i = 0; i < n; i++) {
            if (offsets[i] < 0 || sizes[i] <= 0 || offsets[i] + sizes[i] > fileSize) {
                throw new VideoException(file, "frame " + i + " of " + n + " lies outside the file (bytes "
                        + offsets[i] + ".." + (offsets[i] + sizes[i]) + " of " + fileSize + "): truncated file?");
            }
        }
        long[] dts = new long[n];
        long[] dur = new long[n];
        TimeToSampleBox stts = trak.getStts();
        int i = 0;
        long t = 0;
        for (TimeToSampleBox.TimeToSampleEntry e : stts.getEntries()) {
            for (int j = 0; j < e.getSampleCount() && i < n; j++, i++) {
                dts[i] = t;
                dur[i] = e.getSampleDuration();
                t += e.getSampleDuration();
            }
        }
        if (i != n) {
            throw new VideoException(file, "'stts' covers " + i + " of " + n + " frames");
        }
        long[] pts = dts.clone();
        CompositionOffsetsBox ctts = trak.getCtts();
        if (ctts != null) {
            i = 0;
            for (CompositionOffsetsBox.Entry e : ctts.getEntries()) {
                for (int j = 0; j < e.getCount() && i < n; j++, i++) {
                    pts[i] += e.getOffset();
                }
            }
        }
        long shift = editShift(trak, timescale, movieTimescale);
        for (i = 0; i < n; i++) {
            pts[i] += shift;
        }
        boolean[] key = new boolean[n];
        SyncSamplesBox stss = trak.getStss();
        if (stss == null) {
            Arrays.fill(key, true);
        } else {
            for (int s : stss.getSyncSamples()) {
                if (s >= 1 && s <= n) {
                    key[s - 1] = true;
                }
            }
        }
        if (!key[0]) {
            throw new VideoException(file, "the first frame is not a keyframe");
        }
        long end = Long.MIN_VALUE;
        for (i = 0; i < n; i++) {
            end = Math.max(end, pts[i] + dur[i]);
        }
        long edited = editedDuration(trak, timescale, movieTimescale);
        if (edited > 0) {
            end = Math.min(end, edited);       // ffprobe: the edit list cuts the last frame's stts duration
        }
        return new VideoIndex(file, timescale, geometry, color, avcC, offsets, sizes, pts, dur, key, end);
    }

    /** JCodec's AvcCBox keeps SPS/PPS without their NAL header byte. */
    static SeqParameterSet readSps(ByteBuffer payload) {
        ByteBuffer b = NIOUtils.clone(payload);
        H264Utils.unescapeNAL(b);
        return SeqParameterSet.read(b);
    }

    /** {width, height} after cropping and {width, height} coded, or a VideoException for what JCodec cannot decode. */
    private static int[] checkSps(Path file, SeqParameterSet sps) {
        if (sps.bitDepthLumaMinus8 != 0 || sps.bitDepthChromaMinus8 != 0) {
            throw new VideoException(file, "unsupported H.264 bit depth " + (8 + sps.bitDepthLumaMinus8)
                    + " (profile_idc " + sps.profileIdc + "); only 8-bit video is supported");
        }
        if (sps.chromaFormatIdc != ColorSpace.YUV420J && sps.chromaFormatIdc != ColorSpace.YUV420) {
            throw new VideoException(file, "unsupported H.264 chroma format " + sps.chromaFormatIdc
                    + " (profile_idc " + sps.profileIdc + "); only 4:2:0 is supported");
        }
        if (!sps.frameMbsOnlyFlag) {
            throw new VideoException(file, "interlaced H.264 (frame_mbs_only_flag = 0) is not supported");
        }
        int cw = (sps.picWidthInMbsMinus1 + 1) * 16, ch = (sps.picHeightInMapUnitsMinus1 + 1) * 16;
        int w = cw, h = ch;
        if (sps.frameCroppingFlag) {
            w -= 2 * (sps.frameCropLeftOffset + sps.frameCropRightOffset);
            h -= 2 * (sps.frameCropTopOffset + sps.frameCropBottomOffset);
        }
        if (w <= 0 || h <= 0 || cw > MAX_SIDE || ch > MAX_SIDE) {
            throw new VideoException(file, "unsupported picture size " + w + "x" + h + " (at most " + MAX_SIDE
                    + " per side)");
        }
        return new int[] {w, h, cw, ch};
    }

    private static ColorMatrix colorOf(SeqParameterSet sps) {
        VUIParameters vui = sps.vuiParams;
        if (vui == null || !vui.videoSignalTypePresentFlag) {
            return ColorMatrix.BT601;
        }
        int matrix = vui.colourDescriptionPresentFlag ? vui.matrixCoefficients : 2;
        return ColorMatrix.fromVui(matrix, vui.videoFullRangeFlag);
    }

    private static int[] sampleSizes(TrakBox trak) {
        SampleSizesBox stsz = trak.getStsz();
        if (stsz.getDefaultSize() != 0) {
            int[] s = new int[stsz.getCount()];
            Arrays.fill(s, stsz.getDefaultSize());
            return s;
        }
        return stsz.getSizes();
    }

    private static long[] sampleOffsets(Path file, TrakBox trak, int[] sizes) {
        ChunkOffsetsBox stco = trak.getStco();
        ChunkOffsets64Box co64 = trak.getCo64();
        long[] chunks = stco != null ? stco.getChunkOffsets() : co64 != null ? co64.getChunkOffsets() : null;
        if (chunks == null) {
            throw new VideoException(file, "video track has no chunk offsets ('stco'/'co64')");
        }
        SampleToChunkBox.SampleToChunkEntry[] stsc = trak.getStsc().getSampleToChunk();
        long[] offsets = new long[sizes.length];
        int s = 0;
        for (int e = 0; e < stsc.length && s < sizes.length; e++) {
            int firstChunk = (int) stsc[e].getFirst() - 1;
            int endChunk = e + 1 < stsc.length ? (int) stsc[e + 1].getFirst() - 1 : chunks.length;
            for (int c = firstChunk; c < endChunk && s < sizes.length; c++) {
                long pos = chunks[c];
                for (int k = 0; k < stsc[e].getCount() && s < sizes.length; k++, s++) {
                    offsets[s] = pos;
                    pos += sizes[s];
                }
            }
        }
        if (s != sizes.length) {
            throw new VideoException(file, "'stsc'/'stco' place " + s + " of " + sizes.length + " frames");
        }
        return offsets;
    }

    /** Ticks to add to media pts: minus the first edit's media time, plus leading empty edits. */
    private static long editShift(TrakBox trak, int timescale, int movieTimescale) {
        List<Edit> edits = trak.getEdits();
        if (edits == null) {
            return 0;
        }
        long shift = 0;
        for (Edit e : edits) {
            if (e.getMediaTime() == -1) {
                shift += e.getDuration() * timescale / Math.max(1, movieTimescale);   // empty edit, movie units
            } else {
                return shift - e.getMediaTime();
            }
        }
        return shift;
    }

    /** Sum of the edit durations in track ticks (0 without an edit list). */
    private static long editedDuration(TrakBox trak, int timescale, int movieTimescale) {
        List<Edit> edits = trak.getEdits();
        long sum = 0;
        if (edits != null) {
            for (Edit e : edits) {
                sum += e.getDuration();
            }
        }
        return sum * timescale / Math.max(1, movieTimescale);
    }

    /** Reads sample {@code i} into a fresh buffer (positional read, safe from several threads). */
    ByteBuffer read(FileChannel ch, int i) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(size[i]);
        long pos = offset[i];
        while (b.hasRemaining()) {
            int r = ch.read(b, pos + b.position());
            if (r < 0) {
                throw new VideoException(file, "frame " + i + " ends past the end of the file");
            }
        }
        return b.flip();
    }

    FileChannel channel() {
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new VideoException(file, "cannot open", e);
        }
    }

    /** Sample indices by pts, ties in decode order. Insertion sort: decode order is display order up to B-frame reordering. */
    private static int[] sortByPts(long[] pts) {
        int[] order = new int[pts.length];
        for (int i = 0; i < order.length; i++) {
            int j = i;
            while (j > 0 && pts[order[j - 1]] > pts[i]) {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = i;
        }
        return order;
    }

    static List<ByteBuffer> splitNals(Path file, ByteBuffer packet, int lengthSize, int sample) {
        List<ByteBuffer> nals = new ArrayList<>();
        ByteBuffer b = packet.duplicate();
        while (b.remaining() >= lengthSize) {
            int len = 0;
            for (int k = 0; k < lengthSize; k++) {
                len = (len << 8) | (b.get() & 0xff);
            }
            if (len <= 0 || len > b.remaining()) {
                throw new VideoException(file, "frame " + sample + ": NAL unit length " + len + " exceeds the "
                        + b.remaining() + " bytes left in the frame (corrupt data)");
            }
            ByteBuffer nal = b.slice(b.position(), len);
            b.position(b.position() + len);
            nals.add(nal);
        }
        return nals;
    }
}
