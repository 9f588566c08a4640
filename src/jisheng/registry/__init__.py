"""Registry (全员人口): residents, households, marriages, parent–child links."""
