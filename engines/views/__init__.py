"""Platform views: a raw AWS CloudTrail record as each SIEM stores it.

One module per platform (``elastic``, ``splunk``, ``sentinel``, ``cloudwatch``); ``registry.VIEWS``
maps a target name to its view function. Unconfirmed platform behaviour lives in the
``*_assumptions`` modules, one named constant or function per assumption.

Loss keys are raw CloudTrail paths, dotted, with array positions left out
(``requestParameters.instancesSet.items.instanceId``): the names a Sigma rule uses.
"""
