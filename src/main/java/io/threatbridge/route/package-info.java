/**
 * The edge between the YAML routes and the plain Java below them. Each bean here is named for the
 * step of a route it performs and binds its arguments by annotation ({@code @ExchangeProperty},
 * {@code @Header}, {@code @Body}): the one way the routes pass arguments to beans. A step that puts
 * what it found into exchange properties names them in its {@code description:} in the YAML.
 * Nothing below this package (store, microsoft, delivery, integration, event) imports Camel.
 */
package io.threatbridge.route;
