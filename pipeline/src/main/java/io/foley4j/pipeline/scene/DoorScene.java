package io.foley4j.pipeline.scene;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A synthetic scene with known sound events: a door in the back wall, seen from the front, swings open (hinge on the
 * left), stays open, and swings shut, again and again. The opening swing is one sustained sound (a creak) over its
 * whole duration, strength = mean angular speed / 2 pi rad/s; the door hitting its frame is an impact at the exact
 * closing instant, strength = angular speed at impact / 4 pi rad/s (both capped at 1).
 *
 * <p>The angle eases in and out while opening, {@code a(u) = max (1 - cos(pi u)) / 2}, and accelerates while
 * closing, {@code a(u) = max (1 - u^2)}, u in [0, 1] the fraction of the swing, so the door slams at full speed.
 */
public final class DoorScene implements EventScene {
    /** One open-close cycle: opening over [open, open + openFor], closing over [close, close + closeFor]. */
    record Cycle(double open, double openFor, double close, double closeFor, double maxAngle) {}

    private final int width, height;
    private final double seconds, floorY, frameX, doorW, doorH;
    private final int[] wood;
    private final List<Cycle> cycles = new ArrayList<>();

    public DoorScene(int width, int height, double seconds, long seed) {
        Paint.checkScene("DoorScene", width, height, seconds);
        this.width = width;
        this.height = height;
        this.seconds = seconds;
        this.floorY = height * 0.85;
        Random r = new Random(seed);
        this.doorW = width * (0.14 + 0.08 * r.nextDouble());
        this.doorH = height * (0.55 + 0.15 * r.nextDouble());
        this.frameX = width * 0.1 + (width * 0.8 - doorW) * r.nextDouble();
        int[][] woods = {{150, 95, 55}, {120, 75, 45}, {175, 125, 75}, {95, 110, 130}};
        this.wood = woods[r.nextInt(woods.length)];
        double t = 0.3 + 0.5 * r.nextDouble();
        while (t < seconds) {
            double openFor = 0.5 + 0.5 * r.nextDouble(), hold = 0.4 + 0.8 * r.nextDouble();
            double closeFor = 0.25 + 0.25 * r.nextDouble(), max = Math.toRadians(55 + 25 * r.nextDouble());
            cycles.add(new Cycle(t, openFor, t + openFor + hold, closeFor, max));
            t += openFor + hold + closeFor + 0.5 + 0.8 * r.nextDouble();
        }
    }

    @Override public int width() { return width; }
    @Override public int height() { return height; }
    @Override public double seconds() { return seconds; }
    @Override public String kind() { return "door"; }

    @Override
    public List<SoundEvent> events() {
        List<SoundEvent> out = new ArrayList<>();
        for (Cycle c : cycles) {
            double end = Math.min(seconds, c.open + c.openFor);
            out.add(new SoundEvent(c.open, end - c.open, Math.min(1, c.maxAngle / c.openFor / (2 * Math.PI))));
            double shut = c.close + c.closeFor;
            // angle speed at impact: d/dt max (1 - u^2) at u = 1 is 2 max / closeFor
            double slam = 2 * c.maxAngle / c.closeFor;
            if (shut < seconds) out.add(SoundEvent.impact(shut, Math.min(1, slam / (4 * Math.PI))));
        }
        return out;
    }

    /** Door angle (radians, 0 = shut) at time t. */
    double angle(double t) {
        for (Cycle c : cycles) {
            if (t <= c.open) return 0;
            if (t < c.open + c.openFor) return c.maxAngle * (1 - Math.cos(Math.PI * (t - c.open) / c.openFor)) / 2;
            if (t <= c.close) return c.maxAngle;
            if (t < c.close + c.closeFor) {
                double u = (t - c.close) / c.closeFor;
                return c.maxAngle * (1 - u * u);
            }
        }
        return 0;
    }

    @Override
    public void render(double t, byte[] rgb) {
        Paint.checkBuffer("DoorScene", width, height, rgb);
        int w = width, h = height;
        Paint.room(rgb, w, h, (int) floorY);
        double top = floorY - doorH, edge = Math.max(2, w * 0.012);
        Paint.rect(rgb, w, h, frameX - edge, top - edge, frameX + doorW + edge, floorY, new int[] {90, 70, 50});
        Paint.rect(rgb, w, h, frameX, top, frameX + doorW, floorY, new int[] {35, 35, 45});       // the dark doorway
        double a = angle(t), cos = Math.cos(a);
        double reach = doorW * cos, inset = 0.08 * doorH * Math.sin(a);   // the far edge looks shorter as it turns
        double light = 0.55 + 0.45 * cos;
        int[] face = {(int) (wood[0] * light), (int) (wood[1] * light), (int) (wood[2] * light)};
        int[] groove = {face[0] - 35, face[1] - 30, face[2] - 25};
        int c0 = Math.max(0, (int) Math.ceil(frameX - 0.5)), c1 = Math.min(w, (int) Math.ceil(frameX + reach - 0.5));
        for (int col = c0; col < c1; col++) {
            double u = (col + 0.5 - frameX) / reach;                      // 0 at the hinge, 1 at the far edge
            double y0 = top + u * inset, y1 = floorY - u * inset;
            boolean line = Math.abs(u - 0.5) < 0.6 / reach || u > 1 - 1.5 / reach;      // centre groove, edge
            Paint.rect(rgb, w, h, col, y0, col + 1, y1, line ? groove : face);
        }
        Paint.disc(rgb, w, h, frameX + 0.85 * reach, (top + floorY) / 2, Math.max(1.5, doorW * 0.05),
                new int[] {210, 190, 90});
    }
}
