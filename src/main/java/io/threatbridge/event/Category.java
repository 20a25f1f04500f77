package io.threatbridge.event;

public enum Category {
    NETWORK, DEVICE, APP, PHISHING, OTHER
}
