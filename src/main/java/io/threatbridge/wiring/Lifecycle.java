package io.threatbridge.wiring;

import org.apache.camel.support.service.ServiceSupport;

/** A plain object's start and stop, as a service of the context: started before the routes, stopped after them. */
final class Lifecycle extends ServiceSupport {

    interface Step {
        void run() throws Exception;
    }

    private final Step start;
    private final Step stop;

    Lifecycle(Step start, Step stop) {
        this.start = start;
        this.stop = stop;
    }

    @Override
    protected void doStart() throws Exception {
        start.run();
    }

    @Override
    protected void doStop() throws Exception {
        stop.run();
    }
}
