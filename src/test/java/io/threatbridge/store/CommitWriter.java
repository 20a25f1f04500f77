package io.threatbridge.store;

/**
 * A child process for {@link StoreCrashTest}: opens the store at args[0] the way the bridge does,
 * then records events as fast as it can and prints each id once its commit has returned, until it
 * is killed.
 */
public final class CommitWriter {

    private CommitWriter() {
    }

    public static void main(String[] args) {
        DeliveryStore store = new DeliveryStore(args[0], args.length > 1 ? args[1] : null, null);
        for (int i = 0; ; i++) {
            String eventId = "crash-" + i;
            store.beginCreate("crash", "acme", "thr-" + i, eventId, "endpoint");
            store.recordCreated("crash", "acme", "thr-" + i, "da-" + i, eventId, "endpoint");
            store.markDone("crash", "acme", eventId, "created", "da-" + i);
            System.out.println("committed " + i);
            System.out.flush();
        }
    }
}
