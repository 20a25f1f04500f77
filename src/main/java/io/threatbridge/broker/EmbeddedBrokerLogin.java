package io.threatbridge.broker;

import org.apache.activemq.artemis.core.security.CheckType;
import org.apache.activemq.artemis.core.security.Role;
import org.apache.activemq.artemis.spi.core.protocol.RemotingConnection;
import org.apache.activemq.artemis.spi.core.security.ActiveMQSecurityManager5;
import org.apache.activemq.artemis.spi.core.security.jaas.RolePrincipal;
import org.apache.activemq.artemis.spi.core.security.jaas.UserPrincipal;

import javax.security.auth.Subject;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The embedded broker's security manager: it knows one user, the bridge's ({@link BrokerCredentials}),
 * who has the role {@value #ROLE}; any other login, and a client that gives none, is refused. What
 * the role may do is artemis/broker.xml's security-settings. The subject carries the user as its
 * UserPrincipal, which the broker stamps on each message (populate-validated-user) for senders.
 */
public final class EmbeddedBrokerLogin implements ActiveMQSecurityManager5 {

    /** The role of artemis/broker.xml's security-settings the bridge's user has. */
    public static final String ROLE = "bridge";

    private final BrokerCredentials credentials;

    public EmbeddedBrokerLogin(BrokerCredentials credentials) {
        this.credentials = credentials;
    }

    @Override
    public Subject authenticate(String user, String password, RemotingConnection connection, String securityDomain) {
        if (!credentials.matches(user, password)) {
            return null;
        }
        Subject subject = new Subject();
        subject.getPrincipals().add(new UserPrincipal(user));
        subject.getPrincipals().add(new RolePrincipal(ROLE));
        return subject;
    }

    @Override
    public boolean authorize(Subject subject, Set<Role> roles, CheckType checkType, String address) {
        if (subject == null) {
            return false;
        }
        Set<String> held = subject.getPrincipals(RolePrincipal.class).stream().map(RolePrincipal::getName).collect(Collectors.toSet());
        return roles.stream().anyMatch(role -> held.contains(role.getName()) && checkType.hasRole(role));
    }

    @Override
    public boolean validateUser(String user, String password) {
        return credentials.matches(user, password);
    }

    @Override
    public boolean validateUserAndRole(String user, String password, Set<Role> roles, CheckType checkType) {
        return credentials.matches(user, password) && roles.stream().anyMatch(role -> ROLE.equals(role.getName()) && checkType.hasRole(role));
    }
}
