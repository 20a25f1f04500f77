package io.threatbridge.wiring;

import org.apache.camel.CamelContext;

/**
 * camel-main calls each {@code @BindToRegistry} method of a configuration class twice (it
 * post-processes the class twice). A bean with state or side effects (a connection pool, the store,
 * a service added to the context, a health check) is made the first time only; the second call gets
 * the one the registry holds.
 */
final class Once {

    /** Makes a bean; may throw, which stops the start. */
    interface Maker<T> {
        T make() throws Exception;
    }

    private Once() {
    }

    static <T> T bind(CamelContext context, String name, Class<T> type, Maker<T> maker) throws Exception {
        T made = context.getRegistry().lookupByNameAndType(name, type);
        return made != null ? made : maker.make();
    }

    static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
