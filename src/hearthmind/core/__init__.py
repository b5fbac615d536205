"""Hearthmind's core: event bus, state machine, service registry, contexts, clock, config.

The core imports nothing else of Hearthmind's."""

from .clock import Clock, RealClock, SimulatedClock, track_time_interval
from .component import ComponentSetup, DataKey, HubData, SetupOptions
from .config import (
    CoreConfig,
    HubConfig,
    LineMap,
    load_config,
    load_yaml,
    register_section,
    validate,
)
from .context import HUMAN_ORIGINS, Context, ContextFactory, Origin
from .domains import DOMAIN_SERVICES, NoHandlerError
from .entities import EntityCommandHandler, EntityEntry, EntityRegistry
from .errors import (
    ConfigError,
    HearthmindError,
    InvalidEntityIdError,
    InvalidServiceDataError,
    ServiceNotFoundError,
    UnknownEntityError,
)
from .events import (
    EVENT_CALL_SERVICE,
    EVENT_HUB_START,
    EVENT_HUB_STOP,
    EVENT_STATE_CHANGED,
    MATCH_ALL,
    CallServiceData,
    Event,
    EventBus,
    EventType,
    StateChangedData,
)
from .health import HealthCounters, HealthProblem
from .heap import HeapSettler
from .hub import Hub
from .instance import (
    HubAlreadyRunningError,
    InstanceLock,
    read_hub_address,
    remove_hub_address,
    write_hub_address,
)
from .logs import LoggerConfig, configure_logging
from .registry import Area, Device, Floor, Person, Registries, Space, SpaceKind
from .services import (
    ServiceCall,
    ServiceData,
    ServiceRegistry,
    describe_services,
    validate_service_data,
)
from .states import State, StateMachine, split_entity_id, valid_entity_id

__all__ = [
    "DOMAIN_SERVICES",
    "EVENT_CALL_SERVICE",
    "EVENT_HUB_START",
    "EVENT_HUB_STOP",
    "EVENT_STATE_CHANGED",
    "HUMAN_ORIGINS",
    "MATCH_ALL",
    "Area",
    "CallServiceData",
    "Clock",
    "ComponentSetup",
    "ConfigError",
    "Context",
    "ContextFactory",
    "CoreConfig",
    "DataKey",
    "Device",
    "EntityCommandHandler",
    "EntityEntry",
    "EntityRegistry",
    "Event",
    "EventBus",
    "EventType",
    "Floor",
    "HealthCounters",
    "HealthProblem",
    "HeapSettler",
    "HearthmindError",
    "Hub",
    "HubAlreadyRunningError",
    "HubConfig",
    "HubData",
    "InstanceLock",
    "InvalidEntityIdError",
    "InvalidServiceDataError",
    "LineMap",
    "LoggerConfig",
    "NoHandlerError",
    "Origin",
    "Person",
    "RealClock",
    "Registries",
    "ServiceCall",
    "ServiceData",
    "ServiceNotFoundError",
    "ServiceRegistry",
    "SetupOptions",
    "SimulatedClock",
    "Space",
    "SpaceKind",
    "State",
    "StateChangedData",
    "StateMachine",
    "UnknownEntityError",
    "configure_logging",
    "describe_services",
    "load_config",
    "load_yaml",
    "read_hub_address",
    "register_section",
    "remove_hub_address",
    "split_entity_id",
    "track_time_interval",
    "valid_entity_id",
    "validate",
    "validate_service_data",
    "write_hub_address",
]
