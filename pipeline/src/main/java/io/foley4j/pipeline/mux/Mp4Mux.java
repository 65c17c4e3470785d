package io.foley4j.pipeline.mux;

import io.foley4j.loader.OutputFiles;
import io.foley4j.pipeline.audio.Wav;
import io.foley4j.pipeline.audio.WavFormatException;
import io.foley4j.pipeline.audio.WavReader;
import io.foley4j.pipeline.video.VideoException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Adds a WAV file to a copy of an MP4/MOV video as a 16-bit PCM audio track, in pure Java. An own box writer, not
 * JCodec's muxer: JCodec 0.2.5 re-serialises the sample description it parses and drops the 4-byte High-profile
 * extension of 'avcC' (seen on the test clip high.mp4: 192-byte 'stsd' written back as 188 bytes).
 *
 * <p>What is copied: every track of the input except its sound tracks, byte for byte, with only the chunk offsets
 * ('stco'/'co64') rewritten; the chunks' data are copied unchanged, so every sample's bytes, timestamps (stts,
 * ctts, edit list), sync flags and sample description (avcC included) stay identical. Existing audio tracks are
 * <b>replaced</b>: a Foley track next to the original sound would play both at once in most players. The new track
 * takes the id after the largest kept one (so muxing an output again gives the same file). 'ftyp' and
 * the other 'moov' children (mvhd with its duration and next track id updated, udta, meta...) are kept; other
 * top-level boxes (free, uuid, top-level meta) are dropped.
 *
 * <p>Layout: ftyp, moov (first: "fast start"), mdat with the copied chunks and half-second audio chunks interleaved
 * by time. The audio starts at presentation time 0. Offsets switch to 'co64' and the mdat header to a 64-bit size
 * when the output passes 4 GiB. Input must be self-contained (data references into other files are not followed)
 * and not fragmented.
 *
 * <p>The output is written to a temporary file in the target's folder and renamed into place; on any error it is
 * deleted. A bad video is a {@link VideoException}, a bad WAV a {@link WavFormatException}, both naming the file.
 */
public final class Mp4Mux {
    /** Seconds of audio per chunk (ffmpeg's mov muxer interleaves at about this granularity too). */
    static final double AUDIO_CHUNK_SECONDS = 0.5;
    /** Largest 'moov' read into memory (a one-hour 60 fps video needs a few MiB). */
    static final int MAX_MOOV = 256 << 20;
    private static final int COPY_BLOCK = 1 << 20;
    private static final long U32_MAX = 0xFFFFFFFFL;

    private Mp4Mux() {}

    public static void addAudio(Path videoIn, Path wavIn, Path out) throws IOException {
        addAudio(videoIn, wavIn, out, U32_MAX);
    }

    /** {@code limit32} lowers the size past which 64-bit offsets and mdat size are used, so tests can reach it. */
    static void addAudio(Path videoIn, Path wavIn, Path out, long limit32) throws IOException {
        Source src = Source.read(videoIn);
        if (!Files.isRegularFile(wavIn)) throw new WavFormatException(wavIn, "no such file");
        try (WavReader wav = WavReader.open(wavIn)) {
            Wav.Header h = wav.header();
            if (h.sampleRate() > PcmTrack.MAX_RATE) {
                throw new WavFormatException(wavIn, "sample rate " + h.sampleRate() + " Hz is above "
                        + PcmTrack.MAX_RATE + " Hz, the most a 'sowt' sample entry can carry");
            }
            if (h.frames() == 0) throw new WavFormatException(wavIn, "no samples: refusing to add an empty audio track");
            int perChunk = (int) Math.max(1, Math.round(h.sampleRate() * AUDIO_CHUNK_SECONDS));
            PcmTrack pcm = new PcmTrack(src.nextTrackId(), h.sampleRate(), h.channels(), h.frames(), perChunk);
            write(src, pcm, wav, out, limit32);
        }
    }

    /** Where one output chunk comes from: {@code track} indexes the kept tracks, or is their count for the audio. */
    private record Chunk(int track, int index, double time) {}

    private static void write(Source src, PcmTrack pcm, WavReader wav, Path out, long limit32) throws IOException {
        List<SourceTrack> kept = src.kept();
        int audio = kept.size();
        List<Chunk> order = new ArrayList<>();
        long payload = 0;
        for (int t = 0; t < kept.size(); t++) {
            SourceTrack s = kept.get(t);
            for (int c = 0; c < s.chunkOffset().length; c++) {
                order.add(new Chunk(t, c, s.chunkTime()[c]));
                payload += s.chunkBytes()[c];
            }
        }
        for (int c = 0; c < pcm.chunks(); c++) {
            order.add(new Chunk(audio, c, pcm.chunkTime(c)));
            payload += pcm.chunkBytes(c);
        }
        order.sort(Comparator.comparingDouble(Chunk::time).thenComparingInt(Chunk::track)
                .thenComparingInt(Chunk::index));

        long[][] offsets = new long[audio + 1][];
        for (int t = 0; t < audio; t++) offsets[t] = new long[kept.get(t).chunkOffset().length];
        offsets[audio] = new long[pcm.chunks()];
        // moov size does not depend on the offset values, only on stco vs co64
        boolean co64 = src.ftyp().length + src.moov(offsets, pcm, false).length + 16 + payload > limit32;
        int moovSize = src.moov(offsets, pcm, co64).length;
        boolean bigMdat = payload + 8 > limit32;
        long pos = src.ftyp().length + moovSize + (bigMdat ? 16 : 8);
        for (Chunk c : order) {
            offsets[c.track][c.index] = pos;
            pos += c.track == audio ? pcm.chunkBytes(c.index) : kept.get(c.track).chunkBytes()[c.index];
        }
        byte[] moov = src.moov(offsets, pcm, co64);

        Path target = out.toAbsolutePath();
        Path temp = OutputFiles.tempBeside(target);
        try {
            try (FileChannel in = FileChannel.open(src.file(), StandardOpenOption.READ);
                 FileChannel o = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeAll(o, ByteBuffer.wrap(src.ftyp()));
                writeAll(o, ByteBuffer.wrap(moov));
                ByteBuffer head = ByteBuffer.allocate(16);
                if (bigMdat) head.putInt(1).put("mdat".getBytes(StandardCharsets.US_ASCII)).putLong(payload + 16);
                else head.putInt((int) (payload + 8)).put("mdat".getBytes(StandardCharsets.US_ASCII));
                writeAll(o, head.flip());
                PcmWriter pw = new PcmWriter(wav, pcm);
                for (Chunk c : order) {
                    if (c.track == audio) pw.chunk(o, c.index);
                    else copy(src.file(), in, kept.get(c.track).chunkOffset()[c.index],
                            kept.get(c.track).chunkBytes()[c.index], o);
                }
                if (o.position() != pos) {
                    throw new IOException("mux " + target + ": wrote " + o.position() + " bytes, planned " + pos);
                }
                o.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException | Error e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    private static void copy(Path file, FileChannel in, long from, long bytes, FileChannel out) throws IOException {
        long done = 0;
        while (done < bytes) {
            long n = in.transferTo(from + done, Math.min(bytes - done, COPY_BLOCK), out);
            if (n <= 0) throw new VideoException(file, "unexpected end of file at byte " + (from + done));
            done += n;
        }
    }

    static void writeAll(FileChannel out, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) out.write(b);
    }

    /** Converts WAV frames to 16-bit little-endian chunks through one fixed buffer. */
    private static final class PcmWriter {
        private final WavReader wav;
        private final PcmTrack pcm;
        private final float[] f;
        private final ByteBuffer b;
        private int next;

        PcmWriter(WavReader wav, PcmTrack pcm) {
            this.wav = wav;
            this.pcm = pcm;
            this.f = new float[pcm.framesPerChunk() * pcm.channels()];
            this.b = ByteBuffer.allocate(f.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        }

        void chunk(FileChannel out, int c) throws IOException {
            if (c != next++) throw new IllegalStateException("audio chunk " + c + " out of order");
            int frames = (int) (pcm.chunkBytes(c) / (2L * pcm.channels()));
            int got = wav.read(f, 0, frames);
            if (got != frames) throw new IOException("WAV ended after chunk " + c + ": read " + got + " of " + frames + " frames");
            b.clear();
            for (int i = 0; i < frames * pcm.channels(); i++) {
                // the mapping of Wav: s / 32768 read, round(x * 32768) clamped written, so 16-bit input is bit-exact
                b.putShort((short) Math.max(-32768, Math.min(32767, Math.round(f[i] * 32768.0))));
            }
            writeAll(out, b.flip());
        }
    }
}
